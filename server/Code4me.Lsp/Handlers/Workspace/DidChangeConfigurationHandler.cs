using System.Text.Json;
using Code4me.Lsp.Core;
using Code4me.Lsp.Hosting;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Workspace;

/// <summary><c>workspace/didChangeConfiguration</c>: applies the <c>code4me</c> section at once, or keeps the old settings and says why.</summary>
internal sealed class DidChangeConfigurationHandler(SettingsService settings, ClientChannel client) : INotificationHandler<DidChangeConfigurationParams>
{
    public void Handle(DidChangeConfigurationParams notification)
    {
        // A push that carries nothing (eglot sends `{}` right after `initialized`; some clients send null) says nothing
        // changed: applied, it would wipe the settings from initializationOptions, consent among them.
        if (notification.Settings is not { } value || IsEmpty(value))
        {
            return;
        }

        try
        {
            settings.Apply(value, "workspace/didChangeConfiguration");
        }
        catch (InvalidInputException e)
        {
            // The user changed a setting and it did not take: say so where they look, not only in the log.
            _ = client.NotifyAsync(LspMethods.WindowShowMessage, new ShowMessageParams { Type = MessageType.Warning, Message = $"Code4me: {e.Message}" }, LspJson.TypeInfo<ShowMessageParams>());
            throw;
        }
    }

    private static bool IsEmpty(JsonElement settings) =>
        settings.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
        || (settings.ValueKind == JsonValueKind.Object && !settings.EnumerateObject().Any())
        || (settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty(LspConfigurationProvider.Section, out var section)
            && section.ValueKind is JsonValueKind.Null);
}
