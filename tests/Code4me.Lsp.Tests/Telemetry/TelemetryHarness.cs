using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Session;
using Code4me.Lsp.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Code4me.Lsp.Tests.Telemetry;

/// <summary>
/// Telemetry derivation wired as the server wires it (<c>AddCode4meTelemetry</c>), with a fake clock and a
/// capturing sink. Times in scripts are seconds since <see cref="Epoch"/>.
/// </summary>
internal sealed class TelemetryHarness : IDisposable
{
    public static readonly DateTimeOffset Epoch = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan s_step = TimeSpan.FromMilliseconds(250);

    private readonly ServiceProvider _services;

    public TelemetryHarness(Dictionary<string, string?>? settings = null, string clientName = "Neovim", string? clientVersion = "0.11.0")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<ITelemetrySink>(Sink);
        services.AddSingleton<EditorSession>();
        services.AddSingleton<DocumentStore>();
        services.AddCode4meTelemetry(configuration);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Editor.Initialize(clientName, clientVersion, ["/work/proj"], null, Time.GetUtcNow());
    }

    public FakeTimeProvider Time { get; } = new(Epoch);

    public CapturingSink Sink { get; } = new();

    public EditorSession Editor => _services.GetRequiredService<EditorSession>();

    public DocumentStore Documents => _services.GetRequiredService<DocumentStore>();

    public QueryBook Book => _services.GetRequiredService<QueryBook>();

    public QueryRecorder Recorder => _services.GetRequiredService<QueryRecorder>();

    public QueryMeasurement Measurement => _services.GetRequiredService<QueryMeasurement>();

    public BehaviorClock Clock => _services.GetRequiredService<BehaviorClock>();

    public QueryFeedback Feedback => _services.GetRequiredService<QueryFeedback>();

    public EditFollower Edits => _services.GetRequiredService<EditFollower>();

    public TypingSpeedMeter Typing => _services.GetRequiredService<TypingSpeedMeter>();

    public TelemetrySession Session => _services.GetRequiredService<TelemetrySession>();

    /// <summary>
    /// Moves the clock to <paramref name="seconds"/> after the epoch in steps of a quarter second, so each
    /// timer fires at its due time (FakeTimeProvider fires everything due in one Advance at its end time).
    /// Scripts keep every time on a quarter second.
    /// </summary>
    public void At(double seconds)
    {
        var target = Epoch + TimeSpan.FromSeconds(seconds);
        Assert.True(target >= Time.GetUtcNow(), $"the script went back in time to {seconds} s");
        while (Time.GetUtcNow() < target)
        {
            var step = target - Time.GetUtcNow();
            Time.Advance(step < s_step ? step : s_step);
        }
    }

    /// <summary>Inserts <paramref name="text"/> at a UTF-16 offset (a one-edit didChange).</summary>
    public void Insert(string uri, int offset, string text) => Replace(uri, offset, 0, text);

    public void Replace(string uri, int offset, int length, string text)
    {
        var document = Documents.Get(uri);
        var (startLine, startCharacter) = document.GetPosition(offset, PositionEncoding.Utf16);
        var (endLine, endCharacter) = document.GetPosition(offset + length, PositionEncoding.Utf16);
        Documents.Change(uri, document.Version + 1, [new DocumentChange(new LineRange(startLine, startCharacter, endLine, endCharacter), text)], PositionEncoding.Utf16);
    }

    /// <summary>A full-sync didChange: the whole new text.</summary>
    public void ReplaceAll(string uri, string text)
    {
        var document = Documents.Get(uri);
        Documents.Change(uri, document.Version + 1, [new DocumentChange(null, text)], PositionEncoding.Utf16);
    }

    /// <summary>A model's answer as the completion engine reports it.</summary>
    public static ModelGeneration Generation(string model, string completion, double milliseconds, double confidence, double[] logprobs) =>
        new() { ModelName = model, Completion = completion, GenerationTimeMs = milliseconds, Confidence = confidence, Logprobs = logprobs };

    public void Dispose() => _services.Dispose();
}
