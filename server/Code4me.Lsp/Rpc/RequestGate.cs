using System.Diagnostics.CodeAnalysis;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Code4me.Lsp.Core;
using Code4me.Lsp.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace Code4me.Lsp.Rpc;

/// <summary>
/// Registers every method on the connection (one handler instance per method, built from DI) and wraps each call: the lifecycle rules of the spec
/// (-32002 before initialize, -32600 after shutdown), typed parameter binding with errors a person can
/// act on, exception mapping (one failed request never takes the server down), failed notifications
/// logged (StreamJsonRpc would swallow them), durations logged and traced (<c>$/logTrace</c>).
/// </summary>
internal sealed partial class RequestGate(
    Lifecycle lifecycle,
    IServiceProvider services,
    ClientChannel client,
    ILogger<RequestGate> logger)
{
    public void AddRequest<TParams, TResult, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(JsonRpc rpc, string method, MethodKind kind = MethodKind.Normal)
        where THandler : IRequestHandler<TParams, TResult>
    {
        var paramsInfo = LspJson.TypeInfo<TParams>();
        var resultInfo = LspJson.TypeInfo<TResult>();
        var handler = ActivatorUtilities.CreateInstance<THandler>(services);
        Add(rpc, method, async (raw, cancellationToken) =>
        {
            CheckLifecycleForRequest(method, kind);
            LogReceived(method);
            var parameters = Bind(method, raw, paramsInfo);
            var started = Stopwatch.GetTimestamp();
            try
            {
                // Serialising the result and the trace need no dispatch thread: a handler that finished elsewhere is answered from there.
                var result = await handler.HandleAsync(parameters, cancellationToken).ConfigureAwait(false);
                return result is null ? null : JsonSerializer.SerializeToElement(result, resultInfo);
            }
            catch (InvalidInputException e)
            {
                LogRejected(method, e.Message);
                throw new LocalRpcException(e.Message) { ErrorCode = LspErrorCodes.InvalidParams };
            }
            catch (Exception e) when (e is not (LocalRpcException or OperationCanceledException))
            {
                LogFailed(e, method);
                throw new LocalRpcException($"{method} failed inside the server ({e.GetType().Name}: {e.Message}). The server keeps running; the log has details.")
                {
                    ErrorCode = LspErrorCodes.InternalError,
                };
            }
            finally
            {
                Traced(method, "request", started);
            }
        });
    }

    public void AddNotification<TParams, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(JsonRpc rpc, string method, MethodKind kind = MethodKind.Normal)
        where THandler : INotificationHandler<TParams>
    {
        var paramsInfo = LspJson.TypeInfo<TParams>();
        var handler = ActivatorUtilities.CreateInstance<THandler>(services);
        Add(rpc, method, (raw, _) =>
        {
            if (!LifecycleAllowsNotification(kind))
            {
                LogDropped(method, lifecycle.State);
                return Task.FromResult<JsonElement?>(null);
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                var parameters = Bind(method, raw, paramsInfo);
                handler.Handle(parameters);
            }
            catch (Exception e) when (e is InvalidInputException or LocalRpcException)
            {
                LogRejected(method, e.Message);
            }
            catch (Exception e)
            {
                LogFailed(e, method);
            }
            finally
            {
                Traced(method, "notification", started);
            }

            return Task.FromResult<JsonElement?>(null);
        });
    }

    private static void Add(JsonRpc rpc, string method, Func<JsonElement?, CancellationToken, Task<JsonElement?>> invoke) =>
        rpc.AddLocalRpcMethod(
            RpcEndpoint.InvokeMethod,
            new RpcEndpoint(invoke),
            new JsonRpcMethodAttribute(method) { UseSingleObjectParameterDeserialization = true });

    private static T Bind<T>(string method, JsonElement? raw, JsonTypeInfo<T> typeInfo)
    {
        // A method without parameters ignores whatever a client sends there (some send [null] or {}).
        if (typeof(T) == typeof(NoParams))
        {
            return (T)(object)NoParams.Instance;
        }

        if (raw is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } element)
        {
            throw new LocalRpcException($"{method} needs a params object; none was sent.") { ErrorCode = LspErrorCodes.InvalidParams };
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new LocalRpcException($"{method} takes a params object, but got a JSON {element.ValueKind.ToString().ToLowerInvariant()}.") { ErrorCode = LspErrorCodes.InvalidParams };
        }

        try
        {
            return JsonSerializer.Deserialize(element, typeInfo)
                ?? throw new LocalRpcException($"{method} needs a params object; got null.") { ErrorCode = LspErrorCodes.InvalidParams };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new LocalRpcException($"Invalid params for {method}: {Describe(e)}") { ErrorCode = LspErrorCodes.InvalidParams };
        }
    }

    // STJ's messages name the JSON path and the expected type; invalid surrogates come as an inner InvalidOperationException.
    private static string Describe(Exception e)
    {
        if (IsSurrogateError(e) || IsSurrogateError(e.InnerException))
        {
            return "a string contains an invalid UTF-16 surrogate (a lone \\uD800-\\uDFFF escape); send well-formed text.";
        }

        return e is JsonException { Path: { } path } json && json.Message.Contains("missing required properties", StringComparison.Ordinal)
            ? $"{json.Message.Split(" Path:")[0]} (at {path})"
            : e.Message;
    }

    private static bool IsSurrogateError(Exception? e) => e?.Message.Contains("surrogate", StringComparison.OrdinalIgnoreCase) == true;

    private void CheckLifecycleForRequest(string method, MethodKind kind)
    {
        var state = lifecycle.State;
        if (kind == MethodKind.Initialize)
        {
            if (state != LifecycleState.Created)
            {
                throw new LocalRpcException("initialize was already received; it may be sent only once.") { ErrorCode = LspErrorCodes.InvalidRequest };
            }

            return;
        }

        switch (state)
        {
            case LifecycleState.Created:
                throw new LocalRpcException($"The server is not initialized: send 'initialize' before '{method}'.") { ErrorCode = LspErrorCodes.ServerNotInitialized };
            case LifecycleState.ShutDown when kind != MethodKind.Exit:
                throw new LocalRpcException($"The server is shut down: after 'shutdown' only 'exit' is accepted, not '{method}'.") { ErrorCode = LspErrorCodes.InvalidRequest };
        }
    }

    private bool LifecycleAllowsNotification(MethodKind kind) => kind == MethodKind.Exit || lifecycle.State is LifecycleState.Initializing or LifecycleState.Initialized;

    private void Traced(string method, string what, long started)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        LogHandled(method, elapsed.TotalMilliseconds);
        if (lifecycle.Trace != "off")
        {
            _ = client.NotifyAsync(
                LspMethods.LogTrace,
                new LogTraceParams { Message = $"Handled {what} '{method}' in {elapsed.TotalMilliseconds:F2} ms." },
                LspJson.TypeInfo<LogTraceParams>());
        }
    }

    [LoggerMessage(Level = LogLevel.Trace, Message = "{Method} received")]
    private partial void LogReceived(string method);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} handled in {ElapsedMs:F2} ms")]
    private partial void LogHandled(string method, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} rejected: {Reason}")]
    private partial void LogRejected(string method, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} failed")]
    private partial void LogFailed(Exception exception, string method);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} ignored: the server is {State}")]
    private partial void LogDropped(string method, LifecycleState state);
}
