using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using StreamJsonRpc;

namespace Code4me.Lsp.Rpc;

/// <summary>
/// The server's way to talk to the client (notifications such as <c>window/logMessage</c>,
/// <c>$/progress</c>). Before the connection exists, or after it is gone, messages are dropped.
/// </summary>
internal sealed class ClientChannel
{
    private volatile JsonRpc? _rpc;

    public bool IsConnected => _rpc is { IsDisposed: false };

    public void Attach(JsonRpc rpc) => _rpc = rpc;

    public void Detach() => _rpc = null;

    /// <summary>Sends a request to the client; false when it failed or there is no connection.</summary>
    public async Task<bool> RequestAsync<T>(string method, T parameters, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        (await InvokeAsync(method, parameters, typeInfo, cancellationToken)).Answered;

    /// <summary>Sends a request to the client and returns its result; not answered when it failed or there is no connection.</summary>
    public async Task<(bool Answered, JsonElement? Result, string? Error)> InvokeAsync<T>(string method, T parameters, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        var rpc = _rpc;
        if (rpc is null || rpc.IsDisposed)
        {
            return (false, null, "no connection");
        }

        try
        {
            var result = await rpc.InvokeWithParameterObjectAsync<JsonElement?>(method, JsonSerializer.SerializeToElement(parameters, typeInfo), cancellationToken);
            return (true, result, null);
        }
        catch (Exception e) when (e is RemoteRpcException or ConnectionLostException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            return (false, null, e.Message);
        }
    }

    /// <summary>Sends a notification; never throws (a lost connection only drops the message).</summary>
    public async Task NotifyAsync<T>(string method, T parameters, JsonTypeInfo<T> typeInfo)
    {
        var rpc = _rpc;
        if (rpc is null || rpc.IsDisposed)
        {
            return;
        }

        try
        {
            var element = JsonSerializer.SerializeToElement(parameters, typeInfo);
            await rpc.NotifyWithParameterObjectAsync(method, element);
        }
        catch (Exception e) when (e is ConnectionLostException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The client went away; nothing to tell it any more.
        }
    }
}
