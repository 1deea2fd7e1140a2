using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>
/// A loopback HTTP server (Kestrel on 127.0.0.1, ephemeral port) speaking the OpenAI legacy completion wire
/// format at <c>POST /v1/completions</c> and the chat wire format at <c>POST /v1/chat/completions</c> (one script for both). Each request takes the next scripted reply (the last one repeats).
/// Bounded: at most <see cref="MaxRequests"/> requests are served, and the server stops itself after
/// <see cref="MaxLifetime"/> or when disposed.
/// </summary>
public sealed class FakeModelServer : IAsyncDisposable
{
    public const int MaxRequests = 200;
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(2);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _replies = new();
    private readonly CancellationTokenSource _lifetime = new(MaxLifetime);
    private Func<HttpContext, Task> _last = Reply.Json("", null);
    private int _requests;

    private FakeModelServer(WebApplication app) => _app = app;

    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request received: headers of interest and the parsed JSON body.</summary>
    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    public int RequestCount => Volatile.Read(ref _requests);

    public static async Task<FakeModelServer> StartAsync(ITestOutputHelper output, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new OutputLoggerProvider(output));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var server = new FakeModelServer(app);
        app.MapPost("/v1/completions", server.HandleAsync);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseAddress = new Uri(address);
        server._lifetime.Token.Register(() => _ = app.StopAsync(CancellationToken.None));
        return server;
    }

    /// <summary>Queues replies for the next requests, in order.</summary>
    public void Enqueue(params Func<HttpContext, Task>[] replies)
    {
        foreach (var reply in replies)
        {
            _replies.Enqueue(reply);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (Interlocked.Increment(ref _requests) > MaxRequests)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var request = new ReceivedRequest(context.Request.Headers.Authorization.ToString(), body.RootElement.Clone());
        Received.Enqueue(request);
        context.Items[typeof(ReceivedRequest)] = request;
        if (_replies.TryDequeue(out var reply))
        {
            _last = reply;
        }

        await _last(context);
    }

    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _lifetime.Dispose();
    }

    public sealed record ReceivedRequest(string Authorization, JsonElement Body);

    /// <summary>Scripted replies.</summary>
    public static class Reply
    {
        /// <summary>Prompt tokens that <see cref="Sse"/> reports in its closing usage chunk.</summary>
        public const int StreamPromptTokens = 11;

        /// <summary>
        /// A non-streamed completion, with <c>logprobs.token_logprobs</c> when given, and <c>usage</c> (as every
        /// OpenAI-compatible server sends it; 1 and 1 unless given).
        /// </summary>
        public static Func<HttpContext, Task> Json(string text, double[]? logprobs, (int Prompt, int Completion)? usage = null) => context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(CompletionJson("cmpl-1", text, logprobs, "stop", usage ?? (1, 1)), context.RequestAborted);
        };

        /// <summary>
        /// A streamed completion: one <c>data:</c> event per chunk (<c>"usage": null</c>, as OpenAI and vLLM send them);
        /// when the request asked for <c>stream_options.include_usage</c>, a closing chunk with <c>choices: []</c> and the
        /// usage (<see cref="StreamPromptTokens"/>, one completion token per chunk); then <c>data: [DONE]</c>.
        /// </summary>
        public static Func<HttpContext, Task> Sse(params (string Text, double Logprob)[] chunks) => async context =>
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var (text, logprob) in chunks)
            {
                await context.Response.WriteAsync($"data: {CompletionJson("cmpl-2", text, [logprob], null, null)}\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            var body = ((ReceivedRequest)context.Items[typeof(ReceivedRequest)]!).Body;
            if (body.TryGetProperty("stream_options", out var options) && options.TryGetProperty("include_usage", out var include) && include.GetBoolean())
            {
                await context.Response.WriteAsync(
                    $$$"""data: {"id":"cmpl-2","object":"text_completion","created":1700000000,"model":"fake","choices":[],"usage":{"prompt_tokens":{{{StreamPromptTokens}}},"completion_tokens":{{{chunks.Length}}},"total_tokens":{{{StreamPromptTokens + chunks.Length}}}}}""" + "\n\n",
                    context.RequestAborted);
            }

            await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
        };

        /// <summary>A streamed chat completion: one chunk per piece, then (when given) a usage chunk, then <c>data: [DONE]</c>.</summary>
        public static Func<HttpContext, Task> ChatSse(string[] pieces, (int Prompt, int Completion)? usage = null) => async context =>
        {
            await WriteChatPiecesAsync(context, pieces);
            if (usage is { } u)
            {
                await context.Response.WriteAsync(
                    $$$"""data: {"id":"chat-1","object":"chat.completion.chunk","created":1700000000,"model":"fake-chat","choices":[],"usage":{"prompt_tokens":{{{u.Prompt}}},"completion_tokens":{{{u.Completion}}},"total_tokens":{{{u.Prompt + u.Completion}}}}}""" + "\n\n",
                    context.RequestAborted);
            }

            await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
        };

        /// <summary>Streams the pieces, then never finishes: waits until the client goes away.</summary>
        public static Func<HttpContext, Task> ChatSseThenHang(params string[] pieces) => async context =>
        {
            await WriteChatPiecesAsync(context, pieces);
            await Hang()(context);
        };

        private static async Task WriteChatPiecesAsync(HttpContext context, string[] pieces)
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var piece in pieces)
            {
                await context.Response.WriteAsync(
                    $$"""data: {"id":"chat-1","object":"chat.completion.chunk","created":1700000000,"model":"fake-chat","choices":[{"index":0,"delta":{"role":"assistant","content":{{JsonSerializer.Serialize(piece)}}},"finish_reason":null}]}""" + "\n\n",
                    context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }

        public static Func<HttpContext, Task> Status(int status) => context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"error":{"message":"scripted failure","type":"server_error"}}""", context.RequestAborted);
        };

        public static Func<HttpContext, Task> Raw(string contentType, string body) => context =>
        {
            context.Response.ContentType = contentType;
            return context.Response.WriteAsync(body, context.RequestAborted);
        };

        /// <summary>Never answers: waits until the client gives up (or the server stops).</summary>
        public static Func<HttpContext, Task> Hang() => async context =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // the client went away, as expected
            }
        };

        private static string CompletionJson(string id, string text, double[]? logprobs, string? finishReason, (int Prompt, int Completion)? usage)
        {
            var builder = new StringBuilder();
            builder.Append(CultureInfo.InvariantCulture, $$"""{"id":"{{id}}","object":"text_completion","created":1700000000,"model":"fake","choices":[{"text":{{JsonSerializer.Serialize(text)}},"index":0,""");
            builder.Append("\"logprobs\":");
            if (logprobs is null)
            {
                builder.Append("null");
            }
            else
            {
                var values = string.Join(',', logprobs.Select(l => l.ToString("R", CultureInfo.InvariantCulture)));
                builder.Append(CultureInfo.InvariantCulture, $$"""{"tokens":[],"token_logprobs":[{{values}}],"top_logprobs":null,"text_offset":[]}""");
            }

            builder.Append(",\"finish_reason\":").Append(finishReason is null ? "null" : $"\"{finishReason}\"").Append("}]");
            builder.Append(usage is { } u
                ? $$$""","usage":{"prompt_tokens":{{{u.Prompt}}},"completion_tokens":{{{u.Completion}}},"total_tokens":{{{u.Prompt + u.Completion}}}}}"""
                : ""","usage":null}""");
            return builder.ToString();
        }
    }

    private sealed class OutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new OutputLogger(output, categoryName);

        public void Dispose()
        {
        }

        private sealed class OutputLogger(ITestOutputHelper output, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                try
                {
                    output.WriteLine($"[fake-model {logLevel}] {category}: {formatter(state, exception)} {exception}");
                }
                catch (InvalidOperationException)
                {
                    // the test already finished
                }
            }
        }
    }
}
