using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Code4me.Lsp.Rpc;

/// <summary>
/// The LSP connection's framing, made to survive any input, as the spec asks of a server. Writing is StreamJsonRpc's
/// (<see cref="HeaderDelimitedMessageHandler"/>); reading is ours, because StreamJsonRpc buffers any declared length,
/// closes the connection on a broken header, and ends it on a valid response it did not expect. Frames come from
/// <see cref="LspFrameReader"/> (bounded memory); each body is checked by <see cref="JsonRpcEnvelope"/> before the
/// formatter sees it:
/// <list type="bullet">
/// <item>a body that is not JSON gets a ParseError (-32700) with a null id;</item>
/// <item>a message that is not a valid request gets InvalidRequest (-32600), or InvalidParams for positional params,
/// answered with its id when it has a usable one (a notification gets no answer; the log says why);</item>
/// <item>a response is passed on only when it answers a request this server sent and has not had answered;
/// any other is ignored and logged by <see cref="UnsolicitedResponseLog"/> (never to the client);</item>
/// <item>a frame over <c>Code4me:Limits:MaxMessageBytes</c> is discarded unread; a request whose id and method come
/// first is answered with InvalidRequest;</item>
/// <item>a broken header is logged and reading resumes at the next <c>Content-Length:</c>.</item>
/// </list>
/// Reading ends only at the end of the input.
/// </summary>
internal sealed partial class LspMessageHandler : HeaderDelimitedMessageHandler
{
    private readonly LspFrameReader _frames;
    private readonly ILogger _logger;
    private readonly UnsolicitedResponseLog _unsolicited;
    private readonly ConcurrentDictionary<RequestId, byte> _awaitingResponse = new();

    private LspMessageHandler(PipeWriter writer, PipeReader reader, Func<long> maxMessageBytes, IJsonRpcMessageFormatter formatter, ILoggerFactory loggers)
        : base(writer, reader, formatter)
    {
        _frames = new LspFrameReader(reader, maxMessageBytes);
        _logger = loggers.CreateLogger<LspMessageHandler>();
        _unsolicited = new UnsolicitedResponseLog(loggers);
    }

    /// <param name="output">The protocol's output (stdout).</param>
    /// <param name="input">The protocol's input (stdin).</param>
    /// <param name="maxMessageBytes">The largest body accepted, read for every frame (the setting may change).</param>
    /// <param name="loggers">Where refused input is reported.</param>
    public static LspMessageHandler Create(Stream output, Stream input, Func<long> maxMessageBytes, ILoggerFactory loggers) =>
        new(PipeWriter.Create(output), PipeReader.Create(input), maxMessageBytes, LspJson.CreateFormatter(), loggers);

    protected override void Write(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        // Registered before the request is on the wire, so its response can never arrive first.
        if (content is JsonRpcRequest { IsResponseExpected: true } request)
        {
            _awaitingResponse.TryAdd(request.RequestId, 0);
        }

        base.Write(content, cancellationToken);
    }

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await _frames.ReadAsync(cancellationToken);
            switch (frame.Kind)
            {
                case LspFrameKind.EndOfInput:
                    return null;
                case LspFrameKind.Truncated:
                    LogTruncated(frame.Length, frame.Received);
                    return null;
                case LspFrameKind.BrokenHeader:
                    LogBadHeader(frame.Reason!);
                    if (!frame.Resumed)
                    {
                        LogEndAfterBadHeader();
                        return null;
                    }

                    continue;
                case LspFrameKind.Oversized:
                    LogOversized(frame.Length, frame.Received, frame.Request?.Method ?? "(unknown)");
                    if (frame.Request is { } refused)
                    {
                        await AnswerAsync(
                            refused.Id,
                            JsonRpcErrorCode.InvalidRequest,
                            $"Invalid request: the message is {frame.Length} bytes, more than the server accepts ({frame.Received} bytes, setting Code4me:Limits:MaxMessageBytes).",
                            cancellationToken);
                    }

                    if (!await _frames.DiscardAsync(frame.Length, cancellationToken))
                    {
                        LogEndInOversized(frame.Length);
                        return null;
                    }

                    continue;
            }

            JsonRpcMessage? message;
            try
            {
                message = await AcceptAsync(frame, cancellationToken);
            }
            finally
            {
                _frames.Release();
            }

            if (message is not null)
            {
                return message;
            }
        }
    }

    /// <summary>The message for <c>JsonRpc</c>, or null when it was answered here or ignored.</summary>
    private async ValueTask<JsonRpcMessage?> AcceptAsync(LspFrame frame, CancellationToken cancellationToken)
    {
        JsonRpcEnvelope envelope;
        try
        {
            envelope = JsonRpcEnvelope.Read(frame.Body);
        }
        catch (JsonException e)
        {
            // Never echo the body: STJ's messages quote the offending text, which may be code.
            var where = e.BytePositionInLine is { } column ? $"at line {e.LineNumber + 1}, byte {column + 1}" : "it is empty";
            LogBadBody("not valid JSON", where);
            await AnswerAsync(RequestId.Null, JsonRpcErrorCode.ParseError, $"Parse error: the message body is not valid JSON ({where}).", cancellationToken);
            return null;
        }

        switch (envelope.Kind)
        {
            case EnvelopeKind.Invalid:
                LogInvalid(envelope.Method ?? "(none)", envelope.ErrorMessage);
                if (!envelope.Id.IsEmpty)
                {
                    await AnswerAsync(envelope.Id, envelope.ErrorCode, envelope.ErrorMessage, cancellationToken);
                }

                return null;
            case EnvelopeKind.Response when envelope.Id.IsNull || !_awaitingResponse.TryRemove(envelope.Id, out _):
                _unsolicited.Ignored(envelope.ErrorMessage);
                return null;
        }

        try
        {
            return Formatter.Deserialize(frame.Body);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
        {
            // The envelope was checked; what is left is a malformed error object of a response, or a value the formatter rejects.
            LogBadBody("not a JSON-RPC message StreamJsonRpc accepts", e.GetType().Name);
            if (envelope.Kind == EnvelopeKind.Request)
            {
                await AnswerAsync(envelope.Id, JsonRpcErrorCode.InvalidRequest, "Invalid request: the message could not be read as JSON-RPC 2.0.", cancellationToken);
            }

            return null;
        }
    }

    private ValueTask AnswerAsync(RequestId id, JsonRpcErrorCode code, string message, CancellationToken cancellationToken) =>
        WriteAsync(new JsonRpcError { RequestId = id, Error = new JsonRpcError.ErrorDetail { Code = code, Message = message } }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broken message header ({Reason}); skipping to the next Content-Length header")]
    private partial void LogBadHeader(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Input ended while looking for the next message header after a broken one; closing the connection")]
    private partial void LogEndAfterBadHeader();

    [LoggerMessage(Level = LogLevel.Error, Message = "Input ended inside a message: {Received} of its {Length} bytes arrived; closing the connection")]
    private partial void LogTruncated(long length, long received);

    [LoggerMessage(Level = LogLevel.Error, Message = "Input ended inside a refused message of {Length} bytes; closing the connection")]
    private partial void LogEndInOversized(long length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a message whose body is {What} ({Where})")]
    private partial void LogBadBody(string what, string where);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a message ({Method}): {Reason}")]
    private partial void LogInvalid(string method, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refused a message of {Length} bytes ({Method}): the limit is {Limit} bytes (Code4me:Limits:MaxMessageBytes); its body is discarded unread")]
    private partial void LogOversized(long length, long limit, string method);
}
