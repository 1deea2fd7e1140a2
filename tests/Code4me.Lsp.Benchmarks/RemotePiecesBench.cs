using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.PostProcessing;
using Code4me.Lsp.Core.Completion.Remote;
using Code4me.Lsp.Core.Privacy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Benchmarks;

/// <summary>
/// The pieces of a remote completion, in process and one at a time (the real DI registrations, a loopback model
/// server): where the server's overhead on top of the model call goes.
/// </summary>
internal static class RemotePiecesBench
{
    private const int Runs = 3000;

    // Long enough for tiered compilation to have put the optimised code in place.
    private static readonly TimeSpan s_warmup = TimeSpan.FromMilliseconds(500);

    public static async Task RunAsync(Action<string> report)
    {
        await using var model = new LoopbackModelServer();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Code4me:Completion:Models:0:Name"] = "remote",
            ["Code4me:Completion:Models:0:Kind"] = "OpenAi",
            ["Code4me:Completion:Models:0:Endpoint"] = $"http://127.0.0.1:{model.Port}",
        }).Build();
        var services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddCode4meCompletion(configuration);
        await using var provider = services.BuildServiceProvider();
        var completion = provider.GetRequiredService<CompletionService>();
        var remote = (OpenAiCompletionModel)provider.GetRequiredService<CompletionService>().Models.Single();
        var factory = provider.GetRequiredService<IHttpClientFactory>();

        // Full budgets: 4,000 characters of prefix and 1,000 of suffix from a 5,000-line module.
        var text = ModelBench.PythonModule(0, 5000);
        var caret = text.Length / 2;
        caret = text.IndexOf('\n', caret) + 1;
        var context = new CompletionContext
        {
            DocumentKey = "file:///bench/remote.py",
            Prefix = text[(caret - 4000)..caret] + "x = np.loadtxt(",
            Suffix = text.Substring(caret, 1000),
            LanguageId = "python",
            FilePath = "/bench/remote.py",
            TriggerKind = CompletionTriggerKind.Invoked,
        };
        var request = new ModelRequest(context, LineMode.IsMultiLine(context.Prefix, context.Suffix, context.LanguageId));
        var responseBytes = System.Text.Encoding.UTF8.GetBytes(LoopbackModelServer.ResponseBody);
        var body = await remote.BuildBody(request).ReadAsByteArrayAsync();
        report(string.Create(CultureInfo.InvariantCulture, $"remote-pieces: prefix {context.Prefix.Length} chars, suffix {context.Suffix.Length} chars, request body {body.Length} bytes; microseconds p50 / p99 over {Runs} runs"));

        Measure(report, "redact prefix", () => SecretRedactor.Redact(context.Prefix));
        Measure(report, "redact suffix", () => SecretRedactor.Redact(context.Suffix));
        Measure(report, "build request body (redaction + JSON)", () => remote.BuildBody(request).Dispose());
        Measure(report, "parse response", () => OpenAiCompletionModel.ParseCompletion(responseBytes));
        Measure(report, "line mode", () => LineMode.IsMultiLine(context.Prefix, context.Suffix, context.LanguageId));
        Measure(report, "post-process", () => CompletionPostProcessor.Process("path, delimiter=',')", context.Prefix, context.Suffix, request.MultiLine, []));

        using var plain = new HttpClient();
        await MeasureAsync(report, "HTTP POST, plain HttpClient, same body", async () =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await plain.PostAsync(model.Endpoint, content);
            await response.Content.ReadAsByteArrayAsync();
        });
        await MeasureAsync(report, "HTTP POST, factory client (resilience), same body", async () =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await factory.CreateClient(RemoteHttp.ClientName).PostAsync(model.Endpoint, content);
            await response.Content.ReadAsByteArrayAsync();
        });
        await MeasureAsync(report, "OpenAiCompletionModel.GenerateAsync", () => remote.GenerateAsync(request, CancellationToken.None));
        await MeasureAsync(report, "CompletionService.CompleteAsync", () => completion.CompleteAsync(context, CancellationToken.None));
        var instant = new CompletionService(
            [new InstantModel("remote")],
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<CompletionOptions>>(),
            new TypedAheadCache(),
            provider.GetRequiredService<ILogger<CompletionService>>());
        await MeasureAsync(report, "CompletionService.CompleteAsync, instant model", () => instant.CompleteAsync(context, CancellationToken.None));
    }

    private static void Measure(Action<string> report, string what, Action action)
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < s_warmup)
        {
            action();
        }

        var times = new List<double>(Runs);
        for (var i = 0; i < Runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        Report(report, what, times);
    }

    private static async Task MeasureAsync(Action<string> report, string what, Func<Task> action)
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < s_warmup)
        {
            await action();
        }

        var times = new List<double>(Runs);
        for (var i = 0; i < Runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await action();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        Report(report, what, times);
    }

    private static void Report(Action<string> report, string what, List<double> times)
    {
        times.Sort();
        report(string.Create(CultureInfo.InvariantCulture, $"remote-pieces: {what,-52} {LspProcessClient.Percentile(times, 50),8:F1} / {LspProcessClient.Percentile(times, 99),8:F1} us"));
    }
}
