using System.Runtime;
using Code4me.Lsp.Core.Documents;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Hosting;

/// <summary>
/// Gives memory back to the system after a large document is closed. The workstation GC collects only when allocation
/// asks it to, so after a 20 MB document is closed nothing triggers a collection: its string, its rope and the buffers
/// its message passed through stay resident (measured: +430 MiB after six open/close cycles, never returned). Closing a
/// document of at least <see cref="LargeDocumentChars"/> schedules one compacting, decommitting collection on the pool
/// (bursts of closes coalesce into one); the dispatch path only sets a flag.
/// </summary>
internal sealed partial class MemoryReclaimer(ILogger<MemoryReclaimer> logger) : IDocumentObserver
{
    /// <summary>Closing a document at least this long (UTF-16 units) reclaims memory.</summary>
    public const int LargeDocumentChars = 1 << 20;

    private int _scheduled;

    public void Opened(TextDocument document)
    {
    }

    public void Changed(TextDocument before, TextDocument after, IReadOnlyList<TextEdit> edits)
    {
    }

    public void Closed(TextDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Text.Length >= LargeDocumentChars && Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            _ = Task.Run(Reclaim);
        }
    }

    private void Reclaim()
    {
        Volatile.Write(ref _scheduled, 0);
        var before = Environment.WorkingSet;
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        // Aggressive: compacts every generation and decommits what is free, as far as the GC can.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        LogReclaimed(before >> 20, Environment.WorkingSet >> 20);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Memory reclaimed after a large document was closed: resident {Before} MiB -> {After} MiB")]
    private partial void LogReclaimed(long before, long after);
}
