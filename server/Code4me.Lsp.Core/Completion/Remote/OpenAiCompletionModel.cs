using Code4me.Lsp.Core.Privacy;
using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Code4me.Lsp.Core.Completion.Remote;

/// <summary>
/// An OpenAI-compatible <c>POST /v1/completions</c> model (llama.cpp server, vLLM, Ollama, TGI) with
/// fill-in-the-middle. Retries come from the client's Polly pipeline; the model's timeout bounds the whole
/// exchange including a streamed body. Every failure becomes a <see cref="RawGeneration"/> with an error.
/// </summary>
internal sealed class OpenAiCompletionModel(CompletionModelOptions model, CompletionOptions options, IHttpClientFactory clients) : ICompletionModel
{
    private readonly Uri _endpoint = EndpointOf(model);

    public string Name => model.Name;

    public async Task<RawGeneration> GenerateAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(1, model.TimeoutMs)));
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = BuildBody(request) };
            var key = string.IsNullOrEmpty(model.ApiKeyEnvironmentVariable) ? null : Environment.GetEnvironmentVariable(model.ApiKeyEnvironmentVariable);
            if (!string.IsNullOrEmpty(key))
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            if (model.Stream)
            {
                message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            }

            var client = clients.CreateClient(RemoteHttp.ClientName);
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return RawGeneration.Failed($"http {(int)response.StatusCode}");
            }

            if (model.Stream && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
                return await ReadEventsAsync(stream, timeout.Token).ConfigureAwait(false);
            }

            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            return ParseCompletion(body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return RawGeneration.Failed("timeout");
        }
        catch (HttpRequestException ex)
        {
            return RawGeneration.Failed($"connection: {ex.Message}");
        }
        catch (Polly.Timeout.TimeoutRejectedException)
        {
            return RawGeneration.Failed("timeout");
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException)
        {
            return RawGeneration.Failed("circuit open");
        }
        catch (IOException ex)
        {
            return RawGeneration.Failed($"connection: {ex.Message}");
        }
    }

    /// <summary>The request body (OpenAI legacy completions).</summary>
    internal ByteArrayContent BuildBody(ModelRequest request)
    {
        var context = request.Context;

        // The prompt leaves the process: strings that look like keys and tokens are redacted first.
        var others = context.OtherDocuments
            .Where(d => d.LanguageId == context.LanguageId)
            .Select(d => d with { Text = SecretRedactor.Redact(d.Text)! })
            .ToArray();
        var block = FimTemplate.ContextBlock(others, context.LanguageId, options.OtherDocumentsCharBudget);
        var (prompt, suffix) = FimTemplate.Render(model.Template, model.CustomTemplate, SecretRedactor.Redact(context.Prefix)!, SecretRedactor.Redact(context.Suffix)!, block);
        var buffer = new ArrayBufferWriter<byte>(prompt.Length + (suffix?.Length ?? 0) + 256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (!string.IsNullOrEmpty(model.ModelId))
            {
                json.WriteString("model", model.ModelId);
            }

            json.WriteString("prompt", prompt);
            if (suffix is not null)
            {
                json.WriteString("suffix", suffix);
            }

            json.WriteNumber("max_tokens", model.MaxTokens);
            json.WriteNumber("temperature", model.Temperature);
            json.WriteBoolean("stream", model.Stream);
            if (model.Stream)
            {
                // OpenAI, vLLM and Ollama then end the stream with a chunk that carries the token counts (choices: []);
                // llama.cpp ignores the field and puts its usage on the last chunk anyway.
                json.WriteStartObject("stream_options");
                json.WriteBoolean("include_usage", true);
                json.WriteEndObject();
            }

            if (model.RequestLogprobs)
            {
                json.WriteNumber("logprobs", 1);
            }

            var stops = model.StopSequences.Concat(options.StopSequences).Where(s => s.Length > 0).Distinct().Take(4).ToArray();
            if (!request.MultiLine && !stops.Contains("\n"))
            {
                stops = [.. stops.Take(3), "\n"];
            }

            if (stops.Length > 0)
            {
                json.WriteStartArray("stop");
                foreach (var stop in stops)
                {
                    json.WriteStringValue(stop);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    /// <summary>Parses a non-streamed completion response body.</summary>
    internal static RawGeneration ParseCompletion(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var text = new StringBuilder();
            var logprobs = new List<double>();
            var error = AppendChoice(document.RootElement, text, logprobs);
            if (error is not null)
            {
                return RawGeneration.Failed(error);
            }

            var (promptTokens, completionTokens) = UsageOf(document.RootElement);
            return new RawGeneration(text.ToString(), logprobs, PromptTokens: promptTokens, CompletionTokens: completionTokens);
        }
        catch (JsonException ex)
        {
            return RawGeneration.Failed($"malformed response: {ex.Message}");
        }
    }

    /// <summary>Reads <c>data: {…}</c> server-sent events until <c>data: [DONE]</c> or the end of the stream.</summary>
    internal static async Task<RawGeneration> ReadEventsAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = new StringBuilder();
        var logprobs = new List<double>();
        var events = 0;
        (int? Prompt, int? Completion) usage = default;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue; // comments, event names, blank separators
            }

            var payload = line.AsSpan(5).Trim();
            if (payload.SequenceEqual("[DONE]"))
            {
                break;
            }

            try
            {
                using var document = JsonDocument.Parse(Encoding.UTF8.GetBytes(payload.ToString()));
                var counted = UsageOf(document.RootElement);
                if (counted.Prompt is not null || counted.Completion is not null)
                {
                    usage = counted;
                }

                if (IsUsageOnly(document.RootElement))
                {
                    continue;   // the closing chunk of stream_options.include_usage: no choice in it
                }

                var error = AppendChoice(document.RootElement, text, logprobs);
                if (error is not null)
                {
                    return RawGeneration.Failed(error);
                }

                events++;
            }
            catch (JsonException ex)
            {
                return RawGeneration.Failed($"malformed event: {ex.Message}");
            }
        }

        return events == 0
            ? RawGeneration.Failed("empty choices")
            : new RawGeneration(text.ToString(), logprobs, PromptTokens: usage.Prompt, CompletionTokens: usage.Completion);
    }

    /// <summary>
    /// <c>usage.prompt_tokens</c> and <c>usage.completion_tokens</c>, each null when absent or not a non-negative
    /// 32-bit integer: a server's odd count must not cost the query its record.
    /// </summary>
    private static (int? Prompt, int? Completion) UsageOf(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        return (Count(usage, "prompt_tokens"), Count(usage, "completion_tokens"));

        static int? Count(JsonElement usage, string name) =>
            usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) && count >= 0 ? count : null;
    }

    private static bool IsUsageOnly(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() == 0
        && !(root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null);

    private static string? AppendChoice(JsonElement root, StringBuilder text, List<double> logprobs)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return "malformed response: not an object";
        }

        if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.ToString() : error.ToString();
            return $"server error: {message}";
        }

        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
        {
            return "empty choices";
        }

        var choice = choices[0];
        if (choice.ValueKind != JsonValueKind.Object || !choice.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
        {
            return "malformed response: choices[0].text missing";
        }

        text.Append(value.GetString());
        if (choice.TryGetProperty("logprobs", out var lp) && lp.ValueKind == JsonValueKind.Object
            && lp.TryGetProperty("token_logprobs", out var tokens) && tokens.ValueKind == JsonValueKind.Array)
        {
            foreach (var token in tokens.EnumerateArray())
            {
                if (token.ValueKind == JsonValueKind.Number)
                {
                    logprobs.Add(token.GetDouble());
                }
            }
        }

        return null;
    }

    private static Uri EndpointOf(CompletionModelOptions model)
    {
        if (string.IsNullOrWhiteSpace(model.Endpoint))
        {
            throw new InvalidOperationException($"Completion model '{model.Name}' is of kind OpenAi but has no Endpoint.");
        }

        var url = model.Endpoint.TrimEnd('/');
        if (!url.EndsWith("/completions", StringComparison.Ordinal))
        {
            url += url.EndsWith("/v1", StringComparison.Ordinal) ? "/completions" : "/v1/completions";
        }

        return new Uri(url, UriKind.Absolute);
    }
}
