using System.Buffers;
using System.Text.Json;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Code4me.Lsp.Rpc;

/// <summary>
/// The top level of a JSON-RPC 2.0 message, checked before StreamJsonRpc sees it (its formatter accepts
/// <c>"jsonrpc":"1.0"</c>, a null method and any id, and <c>JsonRpc</c> ends the connection on a response it did not expect).
/// One forward pass with <see cref="Utf8JsonReader"/>: it validates the whole body as JSON and allocates only the method name
/// and a string id. Never quotes the body in a message (it may be code).
/// </summary>
/// <param name="Kind">What the message is.</param>
/// <param name="Id">The id: <see cref="RequestId.NotSpecified"/> when absent, <see cref="RequestId.Null"/> when null or unusable.</param>
/// <param name="Method">The method of a request or notification.</param>
/// <param name="ErrorCode">For <see cref="EnvelopeKind.Invalid"/>, the code to answer with.</param>
/// <param name="ErrorMessage">For <see cref="EnvelopeKind.Invalid"/>, why; for a response, what kind of response it is.</param>
internal readonly record struct JsonRpcEnvelope(EnvelopeKind Kind, RequestId Id, string? Method, JsonRpcErrorCode ErrorCode, string ErrorMessage)
{
    /// <summary>Reads the top level of <paramref name="body"/>; throws <see cref="JsonException"/> when it is not valid JSON.</summary>
    public static JsonRpcEnvelope Read(ReadOnlySequence<byte> body)
    {
        var json = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        if (!json.Read())
        {
            throw new JsonException("The message body is empty.");
        }

        if (json.TokenType != JsonTokenType.StartObject)
        {
            json.Skip();
            EnsureEnd(ref json);
            return Invalid(RequestId.Null, $"the body is a JSON {Describe(json.TokenType)}, not a JSON-RPC message object (batches are not part of LSP)");
        }

        var version = false;
        var hasMethod = false;
        string? method = null;
        var methodIsString = false;
        var id = RequestId.NotSpecified;
        var idUsable = true;
        var paramsKind = JsonTokenType.None;
        var paramsCount = 0;
        var hasResult = false;
        var hasError = false;
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var name = json.ValueSpan;
            var isEscaped = json.ValueIsEscaped;
            var property = isEscaped ? json.GetString()! : null;
            json.Read();
            if (Is(name, property, "jsonrpc"u8))
            {
                version = json.TokenType == JsonTokenType.String && json.ValueTextEquals("2.0"u8);
            }
            else if (Is(name, property, "id"u8))
            {
                (id, idUsable) = ReadId(ref json);
            }
            else if (Is(name, property, "method"u8))
            {
                hasMethod = true;
                methodIsString = json.TokenType == JsonTokenType.String && TryGetString(ref json, out method);
            }
            else if (Is(name, property, "params"u8))
            {
                paramsKind = json.TokenType;
                paramsCount = paramsKind == JsonTokenType.StartArray ? CountElements(ref json) : 0;
            }
            else if (Is(name, property, "result"u8))
            {
                hasResult = true;
            }
            else if (Is(name, property, "error"u8))
            {
                hasError = true;
            }

            json.Skip();
        }

        EnsureEnd(ref json);
        if (!hasMethod && (hasResult || hasError))
        {
            var kind = !idUsable || id.IsNull ? "a response with a null or unusable id"
                : hasResult && hasError ? "a response with both a result and an error"
                : hasError ? "an error response" : "a result";
            return new(EnvelopeKind.Response, idUsable ? id : RequestId.Null, null, 0, kind);
        }

        if (!idUsable)
        {
            return Invalid(RequestId.Null, "\"id\" must be an integer or a string");
        }

        var answerTo = id.IsEmpty ? RequestId.NotSpecified : id;
        if (!hasMethod)
        {
            return Invalid(id.IsEmpty ? RequestId.Null : id, "the message has no \"method\" (nor a \"result\" or \"error\")");
        }

        if (!version)
        {
            return Invalid(answerTo, "\"jsonrpc\" must be \"2.0\"");
        }

        if (!methodIsString)
        {
            return Invalid(answerTo, "\"method\" must be a string");
        }

        if (paramsKind is not (JsonTokenType.None or JsonTokenType.Null or JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return Invalid(answerTo, $"\"params\" must be an object or an array, not a JSON {Describe(paramsKind)}");
        }

        if (paramsKind == JsonTokenType.StartArray && paramsCount > 1)
        {
            return new(EnvelopeKind.Invalid, answerTo, method, JsonRpcErrorCode.InvalidParams,
                $"Invalid params: {method} takes one params object, not an array of {paramsCount} values.");
        }

        return new(id.IsEmpty ? EnvelopeKind.Notification : EnvelopeKind.Request, id, method, 0, string.Empty);
    }

    /// <summary>
    /// The id and method of a request whose body is too large to read, when both come before anything this prefix cannot
    /// skip (clients write <c>jsonrpc</c>, <c>id</c>, <c>method</c>, then <c>params</c>). Null otherwise, and for a response.
    /// </summary>
    public static SniffedRequest? SniffRequestId(ReadOnlySequence<byte> prefix)
    {
        var json = new Utf8JsonReader(prefix, isFinalBlock: false, default);
        RequestId? id = null;
        string? method = null;
        try
        {
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (id is null || method is null)
            {
                if (!json.Read() || json.TokenType != JsonTokenType.PropertyName)
                {
                    return null;
                }

                var isId = json.ValueTextEquals("id"u8);
                var isMethod = json.ValueTextEquals("method"u8);
                if (!json.Read())
                {
                    return null;
                }

                if (isId)
                {
                    var (value, usable) = ReadId(ref json);
                    id = usable && !value.IsNull ? value : null;
                    if (id is null)
                    {
                        return null;
                    }
                }
                else if (isMethod)
                {
                    if (json.TokenType != JsonTokenType.String || !TryGetString(ref json, out method))
                    {
                        return null;
                    }
                }
                else if (!json.TrySkip())
                {
                    return null;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return new SniffedRequest(id.Value, method!);
    }

    private static JsonRpcEnvelope Invalid(RequestId answerTo, string why) =>
        new(EnvelopeKind.Invalid, answerTo, null, JsonRpcErrorCode.InvalidRequest, $"Invalid request: {why}.");

    private static bool Is(ReadOnlySpan<byte> raw, string? unescaped, ReadOnlySpan<byte> expected) =>
        unescaped is null ? raw.SequenceEqual(expected) : System.Text.Encoding.UTF8.GetBytes(unescaped).AsSpan().SequenceEqual(expected);

    private static (RequestId Id, bool Usable) ReadId(ref Utf8JsonReader json) => json.TokenType switch
    {
        JsonTokenType.Number when json.TryGetInt64(out var number) => (new RequestId(number), true),
        JsonTokenType.String when TryGetString(ref json, out var text) => (new RequestId(text), true),
        JsonTokenType.Null => (RequestId.Null, true),
        _ => (RequestId.Null, false),
    };

    private static bool TryGetString(ref Utf8JsonReader json, out string? value)
    {
        try
        {
            value = json.GetString();
            return value is not null;
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 or a lone surrogate escape.
            value = null;
            return false;
        }
    }

    private static int CountElements(ref Utf8JsonReader json)
    {
        // A copy: the caller skips the whole array from its start.
        var copy = json;
        var depth = copy.CurrentDepth;
        var count = 0;
        while (copy.Read() && copy.CurrentDepth > depth)
        {
            count++;
            copy.Skip();
        }

        return count;
    }

    private static void EnsureEnd(ref Utf8JsonReader json)
    {
        // Anything after the root value is a JSON error (the reader throws).
        while (json.Read())
        {
            json.Skip();
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.StartObject => "object",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => "value",
    };
}
