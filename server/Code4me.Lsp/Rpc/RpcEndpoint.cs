using System.Text.Json;

namespace Code4me.Lsp.Rpc;

/// <summary>
/// The one shape every method is registered with on <see cref="StreamJsonRpc.JsonRpc"/>: raw params in,
/// raw result out. <see cref="RequestGate"/> does the typed work around it, so lifecycle checks,
/// parameter errors and logging are written once.
/// </summary>
internal sealed class RpcEndpoint(Func<JsonElement?, CancellationToken, Task<JsonElement?>> invoke)
{
    public static readonly System.Reflection.MethodInfo InvokeMethod =
        typeof(RpcEndpoint).GetMethod(nameof(InvokeAsync)) ?? throw new InvalidOperationException("RpcEndpoint.InvokeAsync not found.");

    public Task<JsonElement?> InvokeAsync(JsonElement? parameters = null, CancellationToken cancellationToken = default) =>
        invoke(parameters, cancellationToken);
}
