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
            var (arguments, types) = NamedArguments(JsonSerializer.SerializeToElement(parameters, typeInfo));
            var result = await rpc.InvokeWithParameterObjectAsync<JsonElement?>(method, arguments, types, cancellationToken);
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
            var (arguments, types) = NamedArguments(element);
            await rpc.NotifyWithParameterObjectAsync(method, arguments, types);
        }
        catch (Exception e) when (e is ConnectionLostException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The client went away; nothing to tell it any more.
        }
    }

    /// <summary>
    /// The members of a serialized parameter object as named arguments, each declared a <see cref="JsonElement"/>: the
    /// formatter writes them back as they are, with no reflection over a parameter type.
    /// </summary>
    private static (Dictionary<string, object?> Arguments, Dictionary<string, Type> Types) NamedArguments(JsonElement parameters)
    {
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        var types = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var member in parameters.EnumerateObject())
        {
            arguments[member.Name] = member.Value;
            types[member.Name] = typeof(JsonElement);
        }

        return (arguments, types);
    }
}
