using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Lifecycle;

/// <summary><c>initialized</c>: the client is ready; from now on the server may send requests.</summary>
internal sealed class InitializedHandler(Rpc.Lifecycle lifecycle) : INotificationHandler<NoParams>
{
    public void Handle(NoParams notification) => lifecycle.Initialized();
}
