using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Lifecycle;

/// <summary><c>exit</c>: end the process, with 0 after <c>shutdown</c> and 1 without.</summary>
internal sealed class ExitHandler(Rpc.Lifecycle lifecycle) : INotificationHandler<NoParams>
{
    public void Handle(NoParams notification) => lifecycle.Exit();
}
