using System.Diagnostics;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.IntegrationTests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Reply = Code4me.Lsp.IntegrationTests.Support.FakeModelServer.Reply;

namespace Code4me.Lsp.IntegrationTests.Completion;

/// <summary>The remote backend against a loopback server speaking the OpenAI completion wire format.</summary>
public sealed class OpenAiCompletionModelTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ApiKeyVariable = "CODE4ME_TEST_FAKE_MODEL_KEY";
    private readonly CancellationTokenSource _timeout = new(Debugger.IsAttached ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(20));
    private FakeModelServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeModelServer.StartAsync(output, _timeout.Token);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _timeout.Dispose();
    }

    private static ModelRequest Request(bool multiLine = false) => new(
        new CompletionContext
        {
            DocumentKey = "file:///w/app.py",
            Prefix = "def add(a, b):\n    return ",
            Suffix = "\n\nprint(add(1, 2))\n",
            LanguageId = "python",
            FilePath = "/w/app.py",
            OtherDocuments = [new ContextSnippet("/w/util.py", "python", "def sub(a, b):\n    return a - b\n")],
        },
        multiLine);

    private static ServiceProvider Services(string models, string extra = "")
    {
        var json = "{\"Code4me\":{\"Completion\":{\"Models\":[" + models + "]" + extra + "}}}";
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddCode4meCompletion(configuration);
        return services.BuildServiceProvider();
    }

    private string Remote(string name, string template = "SuffixField", bool stream = false, int timeoutMs = 5000)
        => $$"""{"Name":"{{name}}","Kind":"OpenAi","Endpoint":"{{_server.BaseAddress}}","ModelId":"fake-coder","Template":"{{template}}","ApiKeyEnvironmentVariable":"{{ApiKeyVariable}}","Stream":{{(stream ? "true" : "false")}},"TimeoutMs":{{timeoutMs}},"StopSequences":["\n\n"]}""";

    private async Task<RawGeneration> GenerateAsync(string modelJson, string extra = "")
    {
        await using var services = Services(modelJson, extra);
        var model = services.GetRequiredService<CompletionService>().Models.Single();
        return await model.GenerateAsync(Request(), _timeout.Token);
    }

    [Fact]
    public async Task GenerateAsync_JsonReply_ReturnsTextAndLogprobs_AndSendsTheFimRequest()
    {
        Environment.SetEnvironmentVariable(ApiKeyVariable, "sk-test-123");
        _server.Enqueue(Reply.Json("a + b", [-0.1, -0.2, -0.3], usage: (42, 3)));

        var result = await GenerateAsync(Remote("remote"));

        Assert.Null(result.Error);
        Assert.Equal("a + b", result.Text);
        Assert.Equal([-0.1, -0.2, -0.3], result.Logprobs);
        Assert.Equal((42, 3), (result.PromptTokens, result.CompletionTokens));
        Assert.True(_server.Received.TryDequeue(out var request));
        Assert.Equal("Bearer sk-test-123", request.Authorization);
        var body = request.Body;
        Assert.Equal("fake-coder", body.GetProperty("model").GetString());
        Assert.Equal("# Path: /w/util.py\ndef sub(a, b):\n    return a - b\n\ndef add(a, b):\n    return ", body.GetProperty("prompt").GetString());
        Assert.Equal("\n\nprint(add(1, 2))\n", body.GetProperty("suffix").GetString());
        Assert.False(body.GetProperty("stream").GetBoolean());
        Assert.False(body.TryGetProperty("stream_options", out _));   // OpenAI refuses it without stream
        Assert.Equal(1, body.GetProperty("logprobs").GetInt32());
        Assert.Equal(["\n\n", "\n"], body.GetProperty("stop").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task GenerateAsync_TemplateKind_RendersTheFimPromptWithoutASuffixField()
    {
        _server.Enqueue(Reply.Json("a + b", null));

        var result = await GenerateAsync(Remote("remote", template: "StarCoder"));

        Assert.Equal("a + b", result.Text);
        Assert.Empty(result.Logprobs);
        Assert.True(_server.Received.TryDequeue(out var request));
        Assert.StartsWith("<fim_prefix># Path: /w/util.py\n", request.Body.GetProperty("prompt").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("<fim_suffix>\n\nprint(add(1, 2))\n<fim_middle>", request.Body.GetProperty("prompt").GetString(), StringComparison.Ordinal);
        Assert.False(request.Body.TryGetProperty("suffix", out _));
    }

    [Fact]
    public async Task GenerateAsync_StreamedReply_ConcatenatesTheEvents()
    {
        _server.Enqueue(Reply.Sse(("a", -0.5), (" +", -0.25), (" b", -0.125)));

        var result = await GenerateAsync(Remote("remote", stream: true));

        Assert.Null(result.Error);
        Assert.Equal("a + b", result.Text);
        Assert.Equal([-0.5, -0.25, -0.125], result.Logprobs);
        Assert.Equal((Reply.StreamPromptTokens, 3), (result.PromptTokens, result.CompletionTokens));   // from the closing usage chunk
        Assert.True(_server.Received.TryDequeue(out var request));
        Assert.True(request.Body.GetProperty("stream").GetBoolean());
        Assert.True(request.Body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }

    [Theory]
    // llama.cpp: the usage rides on the last chunk, next to its choice.
    [InlineData("data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: {\"choices\":[{\"text\":\"b\",\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n", 9, 2)]
    // No usage at all (an older server): unknown, not zero.
    [InlineData("data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: {\"choices\":[{\"text\":\"b\"}]}\n\ndata: [DONE]\n\n", null, null)]
    // Counts that cannot be right are dropped, the text is kept.
    [InlineData("data: {\"choices\":[{\"text\":\"ab\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":-1,\"completion_tokens\":1e12}}\n\ndata: [DONE]\n\n", null, null)]
    public async Task GenerateAsync_StreamedUsage_IsReadWhereverTheServerPutsIt(string body, int? promptTokens, int? completionTokens)
    {
        _server.Enqueue(Reply.Raw("text/event-stream", body));

        var result = await GenerateAsync(Remote("remote", stream: true));

        Assert.Null(result.Error);
        Assert.Equal(("ab", promptTokens, completionTokens), (result.Text, result.PromptTokens, result.CompletionTokens));
    }

    [Theory]
    [InlineData(500, "http 500")]
    [InlineData(429, "http 429")]
    [InlineData(404, "http 404")]
    public async Task GenerateAsync_ErrorStatus_IsAGenerationWithAnError(int status, string error)
    {
        _server.Enqueue(Reply.Status(status));

        var result = await GenerateAsync(Remote("remote"), ""","RemoteRetries":1""");

        Assert.Equal(error, result.Error);
        Assert.Equal("", result.Text);
        Assert.Equal(status == 404 ? 1 : 2, _server.RequestCount); // 5xx and 429 are retried once by Polly; 404 is not
    }

    [Fact]
    public async Task GenerateAsync_TransientFailureThenSuccess_IsRetriedByPolly()
    {
        _server.Enqueue(Reply.Status(503), Reply.Json("a + b", [-0.1]));

        var result = await GenerateAsync(Remote("remote"));

        Assert.Equal("a + b", result.Text);
        Assert.Equal(2, _server.RequestCount);
    }

    [Theory]
    [InlineData("application/json", "{\"choices\": [", "malformed response")]
    [InlineData("application/json", "{\"id\":\"x\",\"choices\":[]}", "empty choices")]
    [InlineData("application/json", "{\"id\":\"x\"}", "empty choices")]
    [InlineData("application/json", "{\"choices\":[{\"index\":0}]}", "malformed response")]
    [InlineData("application/json", "[1,2]", "malformed response")]
    public async Task GenerateAsync_BadBody_IsAGenerationWithAnError(string contentType, string body, string errorStart)
    {
        _server.Enqueue(Reply.Raw(contentType, body));

        var result = await GenerateAsync(Remote("remote"));

        Assert.StartsWith(errorStart, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: {oops\n\n", "malformed event")]
    [InlineData(": keep-alive\n\ndata: [DONE]\n\n", "empty choices")]
    [InlineData("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":0}}\n\ndata: [DONE]\n\n", "empty choices")]
    public async Task GenerateAsync_BadEventStream_IsAGenerationWithAnError(string body, string errorStart)
    {
        _server.Enqueue(Reply.Raw("text/event-stream", body));

        var result = await GenerateAsync(Remote("remote", stream: true));

        Assert.StartsWith(errorStart, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_ServerTooSlow_TimesOut()
    {
        _server.Enqueue(Reply.Hang());

        var result = await GenerateAsync(Remote("remote", timeoutMs: 200));

        Assert.Equal("timeout", result.Error);
    }

    [Fact]
    public async Task GenerateAsync_NothingListening_IsAConnectionError()
    {
        var port = _server.BaseAddress.Port;
        await _server.DisposeAsync();
        _server = await FakeModelServer.StartAsync(output, _timeout.Token);
        var model = $$"""{"Name":"gone","Kind":"OpenAi","Endpoint":"http://127.0.0.1:{{port}}","TimeoutMs":5000}""";

        var result = await GenerateAsync(model, ""","RemoteRetries":0""");

        Assert.StartsWith("connection", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_SeveralModels_RecordsEveryAnswerAndShowsTheMostConfident()
    {
        // One request per model; which model gets which reply depends on arrival, so both replies are the same shape
        // and the failing model points at a path the fake does not serve.
        _server.Enqueue(Reply.Json("a + b", [-0.05, -0.05]));
        var broken = $$"""{"Name":"broken","Kind":"OpenAi","Endpoint":"{{_server.BaseAddress}}nowhere/v1/completions","TimeoutMs":5000}""";
        await using var services = Services($$"""{{Remote("remote")}},{{broken}},{"Name":"ngram","Kind":"Offline"}""", ""","Policy":"HighestConfidence","DeadlineMs":10000""");
        var service = services.GetRequiredService<CompletionService>();

        var outcome = await service.CompleteAsync(Request().Context, _timeout.Token);
        var all = await outcome.AllGenerations;

        Assert.Equal(["broken", "ngram", "remote"], all.Select(g => g.ModelName).Order());
        Assert.Equal("http 404", all.Single(g => g.ModelName == "broken").Error);
        Assert.Equal("remote", outcome.Chosen!.ModelName);
        Assert.Equal("a + b", outcome.Chosen.Completion);
        Assert.Equal(Math.Exp(-0.05), outcome.Chosen.Confidence, 9);
    }
}
