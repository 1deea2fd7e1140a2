using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>
/// Frame-level access for bad-input and stdout-hygiene tests: write arbitrary bytes; read the server's
/// output with a strict, independent reader of the LSP base protocol (exact Content-Length, CRLF
/// headers, JSON bodies), so a framing mistake on the server fails the test.
/// </summary>
internal sealed class RawLspConnection(Stream output, Stream input)
{
    private readonly List<JsonElement> _notifications = [];
    private readonly byte[] _one = new byte[1];

    /// <summary>Server notifications seen while reading responses.</summary>
    public IReadOnlyList<JsonElement> Notifications => _notifications;

    public async Task WriteRawAsync(string text)
    {
        await output.WriteAsync(Encoding.UTF8.GetBytes(text));
        await output.FlushAsync();
    }

    public async Task WriteBytesAsync(ReadOnlyMemory<byte> bytes)
    {
        await output.WriteAsync(bytes);
        await output.FlushAsync();
    }

    /// <summary>A correctly framed message with an arbitrary body.</summary>
    public Task WriteFrameAsync(string body) => WriteRawAsync($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");

    public Task RequestAsync(int id, string method, object? parameters) =>
        WriteFrameAsync(JsonSerializer.Serialize(new Dictionary<string, object?> { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters }));

    public Task NotifyAsync(string method, object? parameters) =>
        WriteFrameAsync(JsonSerializer.Serialize(new Dictionary<string, object?> { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters }));

    /// <summary>The next whole message, or null at the end of the stream (only between messages).</summary>
    public async Task<JsonElement?> ReadMessageAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TestTimeout.Value);
        int? length = null;
        while (true)
        {
            var line = await ReadHeaderLineAsync(timeout.Token);
            if (line is null)
            {
                Assert.Null(length);
                return null;
            }

            if (line.Length == 0)
            {
                break;
            }

            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            Assert.True(colon > 0, $"Malformed header line from the server: '{line}'");
            if (line[..colon] == "Content-Length")
            {
                length = int.Parse(line[(colon + 2)..], CultureInfo.InvariantCulture);
            }
        }

        Assert.NotNull(length);
        var body = new byte[length.Value];
        await input.ReadExactlyAsync(body, timeout.Token);
        using var document = JsonDocument.Parse(body);
        Assert.Equal("2.0", document.RootElement.GetProperty("jsonrpc").GetString());
        return document.RootElement.Clone();
    }

    /// <summary>Reads until a notification of <paramref name="method"/> arrives; returns its params.</summary>
    public async Task<JsonElement> ReadNotificationAsync(string method)
    {
        while (true)
        {
            var message = await ReadMessageAsync() ?? throw new EndOfStreamException("The server closed the connection.");
            if (message.TryGetProperty("method", out var m) && m.GetString() == method && !message.TryGetProperty("id", out _))
            {
                return message.GetProperty("params");
            }
        }
    }

    /// <summary>Reads until the server sends a request of <paramref name="method"/>; returns the whole message (it has an id).</summary>
    public async Task<JsonElement> ReadServerRequestAsync(string method)
    {
        while (true)
        {
            var message = await ReadMessageAsync() ?? throw new EndOfStreamException("The server closed the connection.");
            if (message.TryGetProperty("method", out var m) && m.GetString() == method && message.TryGetProperty("id", out _))
            {
                return message;
            }
        }
    }

    /// <summary>The next response (notifications from the server are kept in <see cref="Notifications"/>).</summary>
    public async Task<JsonElement> ReadResponseAsync()
    {
        while (true)
        {
            var message = await ReadMessageAsync() ?? throw new EndOfStreamException("The server closed the connection.");
            if (message.TryGetProperty("method", out _))
            {
                _notifications.Add(message);
                continue;
            }

            return message;
        }
    }

    /// <summary>The next response must be an error for <paramref name="id"/> (null: the null id); returns (code, message).</summary>
    public async Task<(int Code, string Message)> ReadErrorAsync(int? id)
    {
        var response = await ReadResponseAsync();
        Assert.True(response.TryGetProperty("error", out var error), $"Expected an error, got {response}");
        var actualId = response.GetProperty("id");
        if (id is null)
        {
            Assert.Equal(JsonValueKind.Null, actualId.ValueKind);
        }
        else
        {
            Assert.Equal(id.Value, actualId.GetInt32());
        }

        return (error.GetProperty("code").GetInt32(), error.GetProperty("message").GetString()!);
    }

    public async Task<JsonElement> ReadResultAsync(int id)
    {
        var response = await ReadResponseAsync();
        Assert.True(response.TryGetProperty("result", out var result), $"Expected a result, got {response}");
        Assert.Equal(id, response.GetProperty("id").GetInt32());
        return result;
    }

    private async Task<string?> ReadHeaderLineAsync(CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        while (true)
        {
            if (await input.ReadAsync(_one, cancellationToken) == 0)
            {
                Assert.Empty(bytes);
                return null;
            }

            if (_one[0] == (byte)'\n')
            {
                Assert.True(bytes.Count > 0 && bytes[^1] == (byte)'\r', "A header line from the server does not end with CRLF.");
                return Encoding.ASCII.GetString([.. bytes[..^1]]);
            }

            bytes.Add(_one[0]);
        }
    }
}
