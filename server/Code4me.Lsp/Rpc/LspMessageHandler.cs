using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Code4me.Lsp.Rpc;

/// <summary>
/// StreamJsonRpc's LSP framing (<see cref="HeaderDelimitedMessageHandler"/>), made to survive bad input
/// instead of closing the connection, as the spec asks of a server:
/// <list type="bullet">
/// <item>a well-framed body that is not JSON gets a ParseError (-32700) response with a null id;</item>
/// <item>well-formed JSON that is not a JSON-RPC message gets an InvalidRequest (-32600) response;</item>
/// <item>a broken header is logged and reading resumes at the next <c>Content-Length:</c> header.</item>
/// </list>
/// Reading ends only at the end of the input.
/// </summary>
internal sealed partial class LspMessageHandler : HeaderDelimitedMessageHandler
{
    private readonly ResyncPipeReader _reader;
    private readonly ILogger _logger;

    private LspMessageHandler(PipeWriter writer, ResyncPipeReader reader, IJsonRpcMessageFormatter formatter, ILogger logger)
        : base(writer, reader, formatter)
    {
        _reader = reader;
        _logger = logger;
    }

    public static LspMessageHandler Create(Stream output, Stream input, ILogger logger) =>
        new(PipeWriter.Create(output), new ResyncPipeReader(PipeReader.Create(input)), LspJson.CreateFormatter(), logger);

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await base.ReadCoreAsync(cancellationToken);
            }
            catch (BadRpcHeaderException e)
            {
                LogBadHeader(e.Message);
                if (!await _reader.SkipToNextHeaderAsync(cancellationToken))
                {
                    LogEndAfterBadHeader();
                    return null;
                }
            }
            catch (Exception e) when (IsBadBody(e))
            {
                // The body was consumed (the base advances past it even when deserialization throws).
                // Never echo the body: STJ's messages quote the offending text, which may be code.
                var json = e as JsonException;
                var parseError = json is { BytePositionInLine: not null };
                var where = parseError ? $"at line {json!.LineNumber + 1}, byte {json.BytePositionInLine + 1}" : e.GetType().Name;
                LogBadBody(parseError ? "not valid JSON" : "not a JSON-RPC message", where);
                await WriteAsync(
                    new JsonRpcError
                    {
                        RequestId = RequestId.Null,
                        Error = new JsonRpcError.ErrorDetail
                        {
                            Code = parseError ? JsonRpcErrorCode.ParseError : JsonRpcErrorCode.InvalidRequest,
                            Message = parseError
                                ? $"Parse error: the message body is not valid JSON ({where})."
                                : "Invalid request: the message body is JSON but not a JSON-RPC 2.0 message (it needs \"jsonrpc\": \"2.0\" and a method, or a result or error with an id).",
                        },
                    },
                    cancellationToken);
            }
        }
    }

    private static bool IsBadBody(Exception e) =>
        e is not (OperationCanceledException or ObjectDisposedException or EndOfStreamException or IOException or BadRpcHeaderException);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broken message header ({Reason}); skipping to the next Content-Length header")]
    private partial void LogBadHeader(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Input ended while looking for the next message header after a broken one; closing the connection")]
    private partial void LogEndAfterBadHeader();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a message whose body is {What} ({Where})")]
    private partial void LogBadBody(string what, string where);
}
