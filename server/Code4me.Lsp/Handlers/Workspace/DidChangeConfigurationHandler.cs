using Code4me.Lsp.Core;
using Code4me.Lsp.Hosting;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Workspace;

/// <summary>
/// <c>workspace/didChangeConfiguration</c>: from a client that answers <c>workspace/configuration</c>, a signal to pull
/// the <c>code4me</c> section, whatever the push carries; from any other, the pushed section is applied at once, or the
/// old settings stay and the user is told why. A push that carries nothing never wipes the settings.
/// </summary>
internal sealed class DidChangeConfigurationHandler(SettingsService settings, ClientChannel client, Rpc.Lifecycle lifecycle, ConfigurationPull pull)
    : INotificationHandler<DidChangeConfigurationParams>
{
    public void Handle(DidChangeConfigurationParams notification)
    {
        if (lifecycle.ClientSupportsConfiguration)
        {
            _ = pull.PullAsync(LspMethods.WorkspaceDidChangeConfiguration);
            return;
        }

        if (DidChangeConfigurationSettings.IsEmpty(notification.Settings))
        {
            return;
        }

        try
        {
            settings.Apply(notification.Settings!.Value, LspMethods.WorkspaceDidChangeConfiguration);
        }
        catch (InvalidInputException e)
        {
            // The user changed a setting and it did not take: say so where they look, not only in the log.
            _ = client.NotifyAsync(LspMethods.WindowShowMessage, new ShowMessageParams { Type = MessageType.Warning, Message = $"Code4me: {e.Message}" }, LspJson.TypeInfo<ShowMessageParams>());
            throw;
        }
    }
}
