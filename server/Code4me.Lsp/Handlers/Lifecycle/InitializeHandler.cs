using System.Reflection;
using Code4me.Lsp.Core.Session;
using Code4me.Lsp.Hosting;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Lifecycle;

/// <summary><c>initialize</c>: negotiates the position encoding, applies the client's settings, answers with what is implemented.</summary>
internal sealed class InitializeHandler(Rpc.Lifecycle lifecycle, SettingsService settings, ParentProcessWatcher parentWatcher, SessionStart sessionStart)
    : IRequestHandler<InitializeParams, InitializeResult>
{
    public static readonly string ServerVersion =
        typeof(InitializeHandler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public Task<InitializeResult> HandleAsync(InitializeParams request, CancellationToken cancellationToken)
    {
        if (request.InitializationOptions is { } options)
        {
            settings.Apply(options, "initializationOptions");
        }

        var (encoding, encodingName) = ProtocolConversions.NegotiateEncoding(request.Capabilities.General?.PositionEncodings);
        var folders = request.WorkspaceFolders?.Select(f => ProtocolConversions.ToPath(f.Uri)).ToArray()
            ?? (request.RootUri is { } root ? [ProtocolConversions.ToPath(root)] : request.RootPath is { } path ? [path] : []);
        sessionStart.Begin(request.ClientInfo?.Name, request.ClientInfo?.Version, folders, request.ProcessId);
        lifecycle.Trace = request.Trace ?? "off";
        lifecycle.Initializing(encoding, request.Capabilities.Window?.WorkDoneProgress == true, SupportsConfiguration(request.Capabilities));
        if (request.ProcessId is { } processId)
        {
            parentWatcher.Watch(processId);
        }

        return Task.FromResult(new InitializeResult
        {
            ServerInfo = new ServerInfo { Name = "code4me-lsp", Version = ServerVersion },
            Capabilities = new ServerCapabilities
            {
                PositionEncoding = encodingName,
                TextDocumentSync = new TextDocumentSyncOptions { OpenClose = true, Change = TextDocumentSyncKind.Incremental },
                InlineCompletionProvider = true,
                ExecuteCommandProvider = new ExecuteCommandOptions { Commands = Feedback.ExecuteCommandHandler.Commands },
            },
        });
    }

    private static bool SupportsConfiguration(ClientCapabilities capabilities) =>
        capabilities.Workspace is { ValueKind: System.Text.Json.JsonValueKind.Object } workspace
        && workspace.TryGetProperty("configuration", out var configuration)
        && configuration.ValueKind == System.Text.Json.JsonValueKind.True;
}
