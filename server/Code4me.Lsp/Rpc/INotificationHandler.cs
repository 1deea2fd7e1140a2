namespace Code4me.Lsp.Rpc;

/// <summary>
/// Handles one LSP notification. Synchronous by design: it applies state or enqueues work and never
/// awaits, so notifications take effect in arrival order.
/// </summary>
internal interface INotificationHandler<in TParams>
{
    void Handle(TParams notification);
}
