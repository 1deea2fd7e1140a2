using Code4me.Lsp.Core;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Lifecycle;

/// <summary><c>$/setTrace</c>: sets how much the server reports through <c>$/logTrace</c>.</summary>
internal sealed class SetTraceHandler(Rpc.Lifecycle lifecycle) : INotificationHandler<SetTraceParams>
{
    public void Handle(SetTraceParams notification) => lifecycle.Trace = notification.Value switch
    {
        "off" or "messages" or "verbose" => notification.Value,
        _ => throw new InvalidInputException($"$/setTrace value '{notification.Value}' is not one of off, messages, verbose."),
    };
}
