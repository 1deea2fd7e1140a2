using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Offline;
using Code4me.Lsp.Core.Session;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Hosting;

/// <summary>
/// After <c>initialized</c>, trains the offline model on the workspace folders' source files (respecting
/// .gitignore, within the configured bounds) in the background, reporting <c>$/progress</c> when the client
/// supports work-done progress. Completions are served meanwhile; they get better as indexing proceeds. When it is over
/// (or there is nothing to index), start-up's garbage is collected once (<see cref="MemoryReclaimer.AfterStart"/>).
/// </summary>
internal sealed partial class WorkspaceIndexing(
    WorkspaceIndexer indexer,
    EditorSession session,
    Rpc.Lifecycle lifecycle,
    ClientChannel client,
    IOptionsMonitor<CompletionOptions> options,
    MemoryReclaimer memory,
    ILogger<WorkspaceIndexing> logger) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _indexing = Task.CompletedTask;

    /// <summary>Completes when the indexing started at <c>initialized</c> is over.</summary>
    public Task Completion => _indexing;

    public void Start()
    {
        if (!options.CurrentValue.Offline.IndexWorkspace || session.WorkspaceFolders.Count == 0)
        {
            memory.AfterStart();
            return;
        }

        _indexing = Task.Run(async () =>
        {
            await IndexAsync(_stop.Token);
            memory.AfterStart();   // indexing allocates most of what start-up leaves behind
        });
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private async Task IndexAsync(CancellationToken cancellationToken)
    {
        var token = $"code4me/index/{Guid.NewGuid():N}";
        var report = lifecycle.ClientSupportsWorkDoneProgress
            && await client.RequestAsync(LspMethods.WindowWorkDoneProgressCreate, new WorkDoneProgressCreateParams { Token = token }, LspJson.TypeInfo<WorkDoneProgressCreateParams>(), cancellationToken);
        try
        {
            await ProgressAsync(report, token, new WorkDoneProgressValue { Kind = "begin", Title = "Code4me: learning from the workspace", Percentage = 0, Cancellable = false });
            var lastPercent = -1;
            var progress = new ImmediateProgress(p =>
            {
                var percent = p.Total == 0 ? 100 : p.Done * 100 / p.Total;
                if (percent != lastPercent)
                {
                    lastPercent = percent;
                    _ = ProgressAsync(report, token, new WorkDoneProgressValue { Kind = "report", Message = $"{p.Done}/{p.Total} files", Percentage = percent });
                }
            });
            var files = await indexer.IndexAsync(session.WorkspaceFolders, progress, cancellationToken);
            LogIndexed(files, session.WorkspaceFolders.Count);
            await ProgressAsync(report, token, new WorkDoneProgressValue { Kind = "end", Message = $"learned from {files} files" });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await ProgressAsync(report, token, new WorkDoneProgressValue { Kind = "end", Message = "stopped" });
        }
#pragma warning disable CA1031 // indexing is best effort; completions work without it
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFailed(e);
            await ProgressAsync(report, token, new WorkDoneProgressValue { Kind = "end", Message = "failed; see the log" });
        }
    }

    private Task ProgressAsync(bool report, string token, WorkDoneProgressValue value) =>
        report ? client.NotifyAsync(LspMethods.Progress, new ProgressParams { Token = token, Value = value }, LspJson.TypeInfo<ProgressParams>()) : Task.CompletedTask;

    // Progress<T> would post reports to the thread pool, where a late "report" could overtake "end".
    private sealed class ImmediateProgress(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The offline model learned from {Files} files in {Folders} workspace folder(s)")]
    private partial void LogIndexed(int files, int folders);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Indexing the workspace failed")]
    private partial void LogFailed(Exception exception);
}
