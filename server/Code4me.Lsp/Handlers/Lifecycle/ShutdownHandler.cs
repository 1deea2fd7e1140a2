using System.Text.Json;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Lifecycle;

/// <summary><c>shutdown</c>: stop serving; the result is null; <c>exit</c> follows.</summary>
internal sealed class ShutdownHandler(Rpc.Lifecycle lifecycle, IEnumerable<IShutdownParticipant> participants) : IRequestHandler<NoParams, JsonElement?>
{
    public async Task<JsonElement?> HandleAsync(NoParams request, CancellationToken cancellationToken)
    {
        lifecycle.ShuttingDown();
        foreach (var participant in participants)
        {
            await participant.ShutdownAsync(cancellationToken);
        }

        return null;
    }
}
