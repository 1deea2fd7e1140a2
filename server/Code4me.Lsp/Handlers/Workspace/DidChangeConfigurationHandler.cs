using Code4me.Lsp.Hosting;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Workspace;

/// <summary><c>workspace/didChangeConfiguration</c>: applies the <c>code4me</c> section at once, or keeps the old settings and says why.</summary>
internal sealed class DidChangeConfigurationHandler(SettingsService settings) : INotificationHandler<DidChangeConfigurationParams>
{
    public void Handle(DidChangeConfigurationParams notification)
    {
        if (notification.Settings is { } value)
        {
            settings.Apply(value, "workspace/didChangeConfiguration");
        }
    }
}
