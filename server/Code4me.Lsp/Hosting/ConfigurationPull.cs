using System.Text.Json;
using Code4me.Lsp.Core;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Hosting;

/// <summary>
/// Settings as LSP intends them: a client that declares <c>workspace.configuration</c> is asked for the <c>code4me</c>
/// section (<c>workspace/configuration</c>) on <c>initialized</c> and on every <c>workspace/didChangeConfiguration</c>,
/// whatever that carries, and the answer is applied. Only the answer to the latest request is applied; an answer that
/// holds nothing (null, <c>{}</c>) keeps the settings as they are.
/// </summary>
internal sealed partial class ConfigurationPull(ClientChannel client, SettingsService settings, ILogger<ConfigurationPull> logger)
{
    private static readonly ConfigurationParams s_request = new() { Items = [new ConfigurationItem { Section = LspConfigurationProvider.Section }] };
    private long _latest;

    /// <summary>Asks the client for its settings; <paramref name="origin"/> names what prompted it, for the log.</summary>
    public Task PullAsync(string origin, CancellationToken cancellationToken = default)
    {
        var pull = Interlocked.Increment(ref _latest);
        return RunAsync(pull, origin, cancellationToken);
    }

    private async Task RunAsync(long pull, string origin, CancellationToken cancellationToken)
    {
        var (answered, result, error) = await client.InvokeAsync(LspMethods.WorkspaceConfiguration, s_request, LspJson.TypeInfo<ConfigurationParams>(), cancellationToken).ConfigureAwait(false);
        if (!answered)
        {
            LogNotAnswered(origin, error);
            return;
        }

        if (Interlocked.Read(ref _latest) != pull)
        {
            return;   // a newer pull is on its way; its answer is the one that counts
        }

        var section = result is { ValueKind: JsonValueKind.Array } items && items.GetArrayLength() > 0 ? items[0] : default;
        if (DidChangeConfigurationSettings.IsEmpty(section))
        {
            LogEmpty(origin);
            return;
        }

        try
        {
            settings.Apply(section, $"workspace/configuration ({origin})");
        }
        catch (InvalidInputException e)
        {
            LogRejected(e.Message);
            await client.NotifyAsync(LspMethods.WindowShowMessage, new ShowMessageParams { Type = MessageType.Warning, Message = $"Code4me: {e.Message}" }, LspJson.TypeInfo<ShowMessageParams>()).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "workspace/configuration after {Origin} was not answered: {Error}")]
    private partial void LogNotAnswered(string origin, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "workspace/configuration after {Origin}: the client has no code4me settings; the current ones stay")]
    private partial void LogEmpty(string origin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Message}")]
    private partial void LogRejected(string message);
}
