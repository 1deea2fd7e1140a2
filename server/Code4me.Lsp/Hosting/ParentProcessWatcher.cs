using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Hosting;

/// <summary>
/// Ends the session when the client process (initialize's <c>processId</c>) is gone, so an editor that
/// crashed never leaves an orphaned server behind.
/// </summary>
internal sealed partial class ParentProcessWatcher(
    Rpc.Lifecycle lifecycle,
    IOptionsMonitor<ServerOptions> options,
    TimeProvider time,
    ILogger<ParentProcessWatcher> logger) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public void Watch(int processId) => _ = WatchAsync(processId, _stop.Token);

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private async Task WatchAsync(int processId, CancellationToken cancellationToken)
    {
        try
        {
            while (IsAlive(processId))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(options.CurrentValue.ParentProcessPollMs), time, cancellationToken);
            }

            LogParentGone(processId);
            lifecycle.Exit();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The client process {ProcessId} is gone; exiting")]
    private partial void LogParentGone(int processId);
}
