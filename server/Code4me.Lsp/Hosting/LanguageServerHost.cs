using Code4me.Lsp.Rpc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamJsonRpc;

namespace Code4me.Lsp.Hosting;

/// <summary>
/// Runs one JSON-RPC connection over the transport until the session ends (<c>exit</c>, the end of the
/// input, or the client process dying), then stops the host with the lifecycle's exit code.
/// </summary>
internal sealed partial class LanguageServerHost(
    LanguageServerTransport transport,
    RequestGate gate,
    ClientChannel client,
    Rpc.Lifecycle lifecycle,
    IHostApplicationLifetime applicationLifetime,
    IOptionsMonitor<LimitsOptions> limits,
    ILoggerFactory loggerFactory,
    ILogger<LanguageServerHost> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var handler = LspMessageHandler.Create(
            transport.Output, transport.Input, () => limits.CurrentValue.MaxMessageBytes, loggerFactory);
        using var rpc = new JsonRpc(handler)
        {
            CancelLocallyInvokedMethodsWhenConnectionIsClosed = true,
        };
        rpc.Disconnected += (_, e) =>
        {
            if (e.Reason is not DisconnectedReason.LocallyDisposed and not DisconnectedReason.RemotePartyTerminated)
            {
                LogDisconnected(e.Reason, e.Description);
            }

            // Messages read before the end of input are already queued on the dispatch context (it runs them
            // in arrival order): end the session behind them, so nothing the client sent is dropped.
            if (rpc.SynchronizationContext is { } dispatch)
            {
                dispatch.Post(static state => ((Rpc.Lifecycle)state!).Exit(), lifecycle);
            }
            else
            {
                lifecycle.Exit();
            }
        };

        LspMethodTable.Register(gate, rpc);
        client.Attach(rpc);
        rpc.StartListening();
        LogListening();

        var exited = await Task.WhenAny(lifecycle.Exited, Task.Delay(Timeout.Infinite, stoppingToken));
        client.Detach();
        if (exited == lifecycle.Exited)
        {
            Environment.ExitCode = await lifecycle.Exited;
            LogExit(Environment.ExitCode);
            applicationLifetime.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listening for LSP messages")]
    private partial void LogListening();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection closed: {Reason} {Description}")]
    private partial void LogDisconnected(DisconnectedReason reason, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session over; exit code {ExitCode}")]
    private partial void LogExit(int exitCode);
}
