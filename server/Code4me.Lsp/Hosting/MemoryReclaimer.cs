using System.Globalization;
using System.Runtime;
using Code4me.Lsp.Core.Documents;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Hosting;

/// <summary>
/// Gives memory back to the system after a large document is closed, and once after start-up. The workstation GC
/// collects only when allocation asks it to, so after a 20 MB document is closed nothing triggers a collection: its
/// string, its rope and the buffers its message passed through stay resident (measured: +430 MiB after six open/close
/// cycles, never returned). Closing a document of at least <see cref="LargeDocumentChars"/> schedules one compacting,
/// decommitting collection on the pool (bursts of closes coalesce into one); the dispatch path only sets a flag.
/// Start-up (host, settings, the protocol's first messages, the workspace indexing) leaves garbage the idle server never
/// collects either: <see cref="AfterStart"/> collects it once, <see cref="StartDelay"/> later (measured on the Native AOT
/// build: 45.4 MiB resident when idle, 40.3 MiB after it). The Native AOT build also gives the GC 1 MiB regions instead of
/// 4 MiB (Code4me.Lsp.csproj), which the log line reports: each generation of an idle heap holds a region.
/// </summary>
internal sealed partial class MemoryReclaimer(TimeProvider time, ILogger<MemoryReclaimer> logger) : IDocumentObserver
{
    /// <summary>Closing a document at least this long (UTF-16 units) reclaims memory.</summary>
    public const int LargeDocumentChars = 1 << 20;

    /// <summary>How long after start-up (and the workspace indexing) the one collection waits: past the first requests.</summary>
    public static readonly TimeSpan StartDelay = TimeSpan.FromSeconds(1);

    private int _scheduled;
    private int _started;

    /// <summary>Start-up is over (the workspace indexed, or none to index): one collection, <see cref="StartDelay"/> later.</summary>
    public void AfterStart()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = ReclaimAfterStartAsync();
        }
    }

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
            _ = Task.Run(() =>
            {
                Volatile.Write(ref _scheduled, 0);
                Reclaim("a large document was closed");
            });
        }
    }

    private async Task ReclaimAfterStartAsync()
    {
        await Task.Delay(StartDelay, time).ConfigureAwait(false);
        Reclaim("start-up");
    }

    private void Reclaim(string after)
    {
        var before = Environment.WorkingSet;
        var heapBefore = GC.GetTotalMemory(forceFullCollection: false);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        // Aggressive: compacts every generation and decommits what is free, as far as the GC can.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        var region = GC.GetConfigurationVariables().TryGetValue("GCRegionSize", out var size) ? Convert.ToInt64(size, CultureInfo.InvariantCulture) : 0;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: false);
        LogReclaimed(after, before >> 20, Environment.WorkingSet >> 20, heapBefore >> 10, heapAfter >> 10, gc.TotalCommittedBytes >> 10, region >> 10);
    }

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Memory reclaimed after {After}: resident {Before} MiB -> {AfterMiB} MiB; GC heap {HeapBeforeKiB} KiB -> {HeapKiB} KiB, committed {CommittedKiB} KiB, region {RegionKiB} KiB")]
    private partial void LogReclaimed(string after, long before, long afterMiB, long heapBeforeKiB, long heapKiB, long committedKiB, long regionKiB);
}
