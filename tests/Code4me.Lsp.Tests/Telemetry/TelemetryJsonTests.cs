using System.Text.Json;
using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

public sealed class TelemetryJsonTests
{
    private static readonly DateTimeOffset s_at = new(2025, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);

    public static TheoryData<TelemetryEvent> Events() => [.. AllEvents()];

    private static TelemetryEvent[] AllEvents()
    {
        var id = Guid.CreateVersion7(s_at);
        return
        [
            new SessionStartedEvent(Guid.CreateVersion7(s_at), s_at, id, "Neovim", "0.11.0", ["/work/proj"]),
            new SessionEndedEvent(Guid.CreateVersion7(s_at), s_at, id),
            new CompletionQueryEvent(
                Guid.CreateVersion7(s_at), s_at, id, id, "/work/proj",
                new ContextRecord(Guid.CreateVersion7(s_at), "def f(", ")\n", "a.py", null),
                new ContextualTelemetry(Guid.CreateVersion7(s_at), "1.0", "Neovim", CompletionTrigger.Idle, "python", "/work/proj/a.py", 3, 120, 0.25),
                new BehavioralTelemetry(Guid.CreateVersion7(s_at), null, 1500, 2.3),
                [new GenerationRecord("m1", "x)", 120, 0.8, [-0.5, -0.25], [s_at], true, PromptTokens: 40, CompletionTokens: 2)],
                130,
                "0.1.0"),
            new ShownEvent(Guid.CreateVersion7(s_at), s_at, id, "m1"),
            new AcceptedEvent(Guid.CreateVersion7(s_at), s_at, id, "m1"),
            new PartialAcceptEvent(Guid.CreateVersion7(s_at), s_at, id, "m1", 3),
            new RejectedEvent(Guid.CreateVersion7(s_at), s_at, id, "m1"),
            new GroundTruthEvent(Guid.CreateVersion7(s_at), s_at, id, 45, s_at, "x)", "f(", "\n"),
            new RetentionEvent(Guid.CreateVersion7(s_at), s_at, id, "m1", 120, 5, 4),
            new ConsentChangedEvent(Guid.CreateVersion7(s_at), s_at, id, ConsentLevel.None, new ConsentLevel(true, false, true, true), "workspace/didChangeConfiguration"),
        ];
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void RoundTrip_EveryEventType_IsLossless(TelemetryEvent original)
    {
        var json = JsonSerializer.Serialize(original, TelemetryJsonContext.Default.TelemetryEvent);
        var copy = JsonSerializer.Deserialize(json, TelemetryJsonContext.Default.TelemetryEvent);

        Assert.NotNull(copy);
        Assert.Equal(original.GetType(), copy.GetType());
        Assert.Equal(json, JsonSerializer.Serialize(copy, TelemetryJsonContext.Default.TelemetryEvent));
        Assert.StartsWith("{\"$type\":", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_TriggerAndNames_UseTheSchemasSpelling()
    {
        var json = JsonSerializer.Serialize(AllEvents().OfType<CompletionQueryEvent>().Single(), TelemetryJsonContext.Default.TelemetryEvent);
        Assert.Contains("\"trigger\":\"idle\"", json, StringComparison.Ordinal);
        Assert.Contains("\"$type\":\"completionQuery\"", json, StringComparison.Ordinal);
        Assert.Contains("\"timeSinceLastShownMs\":null", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Generation_SpooledBeforeTokenCountsExisted_ReadsAsUnknownCounts()
    {
        var query = AllEvents().OfType<CompletionQueryEvent>().Single();
        var json = JsonSerializer.Serialize(query, TelemetryJsonContext.Default.TelemetryEvent);
        Assert.Contains("\"promptTokens\":40,\"completionTokens\":2", json, StringComparison.Ordinal);

        var old = json.Replace(",\"promptTokens\":40,\"completionTokens\":2", "", StringComparison.Ordinal);
        var generation = Assert.Single(((CompletionQueryEvent)JsonSerializer.Deserialize(old, TelemetryJsonContext.Default.TelemetryEvent)!).Generations);

        Assert.Equal(("x)", (int?)null, (int?)null), (generation.Completion, generation.PromptTokens, generation.CompletionTokens));
    }

    [Fact]
    public void CompletionQuery_WithAndWithoutMultiFileContext_OldRecordsStillReadAndNullIsNotWritten()
    {
        var query = AllEvents().OfType<CompletionQueryEvent>().Single();
        var withMultiFile = query with
        {
            MultiFile = new MultiFileContext(
                new Dictionary<string, string> { ["lib.py"] = "a" },
                new Dictionary<string, MultiFileContextChange> { ["s:1"] = new("lib.py", 0, null, "a", s_at) },
                new Dictionary<string, IReadOnlyList<string>?> { ["lib.py"] = ["s:1"], ["big.py"] = null }),
        };

        var old = JsonSerializer.Serialize(query, TelemetryJsonContext.Default.TelemetryEvent);
        var json = JsonSerializer.Serialize(withMultiFile, TelemetryJsonContext.Default.TelemetryEvent);
        var copy = (CompletionQueryEvent)JsonSerializer.Deserialize(json, TelemetryJsonContext.Default.TelemetryEvent)!;

        Assert.DoesNotContain("multiFile", old, StringComparison.Ordinal);
        Assert.Null(((CompletionQueryEvent)JsonSerializer.Deserialize(old, TelemetryJsonContext.Default.TelemetryEvent)!).MultiFile);
        Assert.Contains(
            "\"multiFile\":{\"baselines\":{\"lib.py\":\"a\"},\"changes\":{\"s:1\":{\"path\":\"lib.py\",\"offset\":0,\"deleted\":null,\"text\":\"a\",\"at\":\"2025-03-01T12:00:00.123+00:00\"}},\"indexes\":{\"lib.py\":[\"s:1\"],\"big.py\":null}}",
            json, StringComparison.Ordinal);
        Assert.Equal(json, JsonSerializer.Serialize(copy, TelemetryJsonContext.Default.TelemetryEvent));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json.Replace("\"offset\":0", "\"offset\":0,\"extra\":1", StringComparison.Ordinal), TelemetryJsonContext.Default.TelemetryEvent));
    }

    [Theory]
    [InlineData("{\"$type\":\"shown\",\"eventId\":\"0195524c-5a3b-7000-8000-000000000001\",\"occurredAt\":\"2025-03-01T12:00:00+00:00\",\"queryId\":\"0195524c-5a3b-7000-8000-000000000002\",\"model\":\"m1\",\"extra\":1}")]
    [InlineData("{\"$type\":\"shown\",\"eventId\":\"0195524c-5a3b-7000-8000-000000000001\",\"occurredAt\":\"2025-03-01T12:00:00+00:00\",\"queryId\":\"0195524c-5a3b-7000-8000-000000000002\"}")]
    [InlineData("{\"$type\":\"nonsense\"}")]
    public void Deserialize_UnknownOrMissingField_IsAnError(string json) =>
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, TelemetryJsonContext.Default.TelemetryEvent));
}
