using System.Text;
using System.Text.Json;
using Code4me.Lsp.Rpc;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>
/// Frame-level access for bad-input tests: write arbitrary bytes, read whole messages back with
/// StreamJsonRpc's own header reader.
/// </summary>
internal sealed class RawLspConnection(Stream output, Stream input)
{
    private readonly HeaderDelimitedMessageHandler _handler = new(output, input, LspJson.CreateFormatter());
    private readonly Stream _output = output;

    public async Task WriteRawAsync(string bytes)
    {
        await _output.WriteAsync(Encoding.UTF8.GetBytes(bytes));
        await _output.FlushAsync();
    }

    /// <summary>A correctly framed message with an arbitrary body.</summary>
    public Task WriteFrameAsync(string body) => WriteRawAsync($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");

    public Task RequestAsync(int id, string method, object? parameters) =>
        WriteFrameAsync(JsonSerializer.Serialize(new Dictionary<string, object?> { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters }));

    public Task NotifyAsync(string method, object? parameters) =>
        WriteFrameAsync(JsonSerializer.Serialize(new Dictionary<string, object?> { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters }));

    private readonly List<JsonRpcRequest> _notifications = [];

    /// <summary>Server notifications seen while reading responses.</summary>
    public IReadOnlyList<JsonRpcRequest> Notifications => _notifications;

    /// <summary>Reads until a notification of <paramref name="method"/> arrives; returns its params as JSON text.</summary>
    public async Task<string> ReadNotificationAsync(string method)
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Value);
        while (true)
        {
            var message = await _handler.ReadAsync(timeout.Token) ?? throw new EndOfStreamException("The server closed the connection.");
            if (message is JsonRpcRequest request && request.Method == method)
            {
                Assert.True(request.TryGetArgumentByNameOrIndex(null, -1, typeof(JsonElement), out var arguments));
                return ((JsonElement)arguments!).GetRawText();
            }
        }
    }

    /// <summary>The next response or error (notifications from the server are kept in <see cref="Notifications"/>).</summary>
    public async Task<JsonRpcMessage> ReadResponseAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Value);
        while (true)
        {
            var message = await _handler.ReadAsync(timeout.Token) ?? throw new EndOfStreamException("The server closed the connection.");
            if (message is JsonRpcResult or JsonRpcError)
            {
                return message;
            }

            if (message is JsonRpcRequest notification)
            {
                _notifications.Add(notification);
            }
        }
    }

    public async Task<JsonRpcError.ErrorDetail> ReadErrorAsync(RequestId expectedId)
    {
        var message = await ReadResponseAsync();
        var error = Assert.IsAssignableFrom<JsonRpcError>(message);
        Assert.Equal(expectedId, error.RequestId);
        return error.Error!;
    }

    public async Task<JsonRpcResult> ReadResultAsync(int expectedId)
    {
        var message = await ReadResponseAsync();
        var result = Assert.IsAssignableFrom<JsonRpcResult>(message);
        Assert.Equal(new RequestId(expectedId), result.RequestId);
        return result;
    }
}
