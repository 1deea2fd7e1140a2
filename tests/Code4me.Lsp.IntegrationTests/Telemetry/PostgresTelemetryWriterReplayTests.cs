using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.IntegrationTests.Telemetry;

/// <summary>
/// Replays against the binary COPY writer: a batch whose rows are (partly) stored already fails its direct COPY
/// and is written staged. Either way every id ends with exactly one row and every field as the event had it.
/// </summary>
public sealed class PostgresTelemetryWriterReplayTests(DatabaseFixture fixture, ITestOutputHelper output) : IClassFixture<DatabaseFixture>, IDisposable
{
    private const string Machine = "test-machine";
    private static readonly BatchOwner s_anonymous = new(null, null, null, Machine);   // the writers below: no token, no installation id
    private readonly XunitLoggerProvider _logs = new(output);

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task WriteAsync_ReplayOfAWrittenBatch_KeepsOneRowPerIdWithEveryField()
    {
        var s = new SampleEvents("replay");
        var queries = Queries(s, 4);
        var writer = await WriterAsync();
        var batch = SampleEvents.Records([s.Session, .. queries]);

        await writer.WriteAsync(batch, TimeoutToken.Create());
        await writer.WriteAsync(batch, TimeoutToken.Create());

        Assert.Equal(1, writer.StagedBatchCount);   // the first went straight in, the replay went through the stage
        Assert.Equal(0, writer.SkippedCount);
        foreach (var query in queries)
        {
            await AssertStoredOnceAsync(s, query, query.Generations);
        }

        Assert.Equal(queries.Count, await CountAsync("SELECT count(*) FROM meta_query WHERE session_id = @Id", s.SessionId));
    }

    [Fact]
    public async Task WriteAsync_BatchOverlappingAWrittenOneHalfway_WritesOnlyTheMissingRowsAndItsFollowUps()
    {
        var s = new SampleEvents("overlap");
        var queries = Queries(s, 6);
        var writer = await WriterAsync();
        var shown = new ShownEvent(Guid.CreateVersion7(), SampleEvents.T0.AddMinutes(5), queries[4].QueryId, s.ModelA);

        await writer.WriteAsync(SampleEvents.Records([s.Session, .. queries[..4]]), TimeoutToken.Create());
        await writer.WriteAsync(SampleEvents.Records([.. queries[2..], shown]), TimeoutToken.Create());

        Assert.Equal(1, writer.StagedBatchCount);
        Assert.Equal(0, writer.SkippedCount);
        foreach (var query in queries.Where(q => q != queries[4]))
        {
            await AssertStoredOnceAsync(s, query, query.Generations);
        }

        // Written staged, then the follow-up in the same transaction: the stage was merged before the feedback ran.
        var a = queries[4].Generations[0];
        await AssertStoredOnceAsync(s, queries[4], [a with { ShownAt = [.. a.ShownAt, shown.OccurredAt] }, queries[4].Generations[1]]);
        Assert.Equal(queries.Count, await CountAsync("SELECT count(*) FROM meta_query WHERE session_id = @Id", s.SessionId));
        Assert.Single(_logs.Lines, l => l.Contains("already stored", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_SameQueryTwiceInOneBatch_StoresItOnce()
    {
        var s = new SampleEvents("twice");
        var queries = Queries(s, 2);
        var writer = await WriterAsync();

        await writer.WriteAsync(SampleEvents.Records([s.Session, queries[0], queries[1], queries[0]]), TimeoutToken.Create());

        Assert.Equal(1, writer.StagedBatchCount);
        Assert.Equal(0, writer.SkippedCount);
        foreach (var query in queries)
        {
            await AssertStoredOnceAsync(s, query, query.Generations);
        }
    }

    /// <summary>Distinct queries of one session, with nulls where the schema allows them and per-row arrays of different lengths.</summary>
    private static List<CompletionQueryEvent> Queries(SampleEvents s, int count) =>
    [
        .. Enumerable.Range(0, count).Select(i =>
        {
            var at = SampleEvents.T0.AddSeconds(10 + i);
            var (a, b) = (s.Query.Generations[0], s.Query.Generations[1]);
            return s.Query with
            {
                EventId = Guid.CreateVersion7(at),
                OccurredAt = at,
                QueryId = Guid.CreateVersion7(at),
                Context = new ContextRecord(Guid.CreateVersion7(at), $"def f{i}(x):\n    return ", $"\n# after {i}", $"f{i}.py", i % 2 == 0 ? null : $"x * {i}"),
                Contextual = s.Query.Contextual! with
                {
                    ContextualTelemetryId = Guid.CreateVersion7(at),
                    Trigger = i % 2 == 0 ? CompletionTrigger.Manual : CompletionTrigger.Idle,
                    CaretLine = i,
                    DocumentCharLength = 100 + i,
                    RelativeDocumentPosition = i / 8.0,
                },
                Behavioral = new BehavioralTelemetry(Guid.CreateVersion7(at), i % 2 == 0 ? null : 250 * i, 1000 + i, i % 3 == 0 ? null : 0.5 * i),
                Generations =
                [
                    a with { Completion = $"x + {i}", GenerationTimeMs = 50 + i, Confidence = 0.25 + i / 16.0, Logprobs = [.. Enumerable.Range(0, i).Select(k => -0.125 * (k + 1))] },
                    b with { Completion = $"x - {i}", ShownAt = [at.AddMilliseconds(300), at.AddMilliseconds(100 + i)], WasAccepted = i % 2 == 1 },
                ],
                TotalServingTimeMs = 200 + i,
                ServerVersion = $"9.9.{i}",
            };
        }),
    ];

    private async Task AssertStoredOnceAsync(SampleEvents s, CompletionQueryEvent q, IReadOnlyList<GenerationRecord> generations)
    {
        var (context, contextual, behavioral) = (q.Context!, q.Contextual!, q.Behavioral!);
        Assert.Equal([(context.ContextId, context.Prefix, context.Suffix, context.FileName, context.SelectedText)],
            await ListAsync<(Guid, string?, string?, string?, string?)>(
                "SELECT context_id, prefix, suffix, file_name, selected_text FROM context WHERE context_id = @Id", context.ContextId));
        Assert.Equal([(contextual.PluginVersion, contextual.Ide, contextual.Trigger == CompletionTrigger.Manual ? "manual" : "idle", contextual.Language, contextual.FilePath,
                contextual.CaretLine, contextual.DocumentCharLength, contextual.RelativeDocumentPosition)],
            await ListAsync<(string, string, string, string, string?, int, int, double)>(
                """
                SELECT v.version_name, v.ide_type, t.trigger_type_name, l.language_name, c.file_path, c.caret_line,
                       c.document_char_length, c.relative_document_position
                FROM contextual_telemetry c JOIN plugin_version v USING (version_id) JOIN trigger_type t USING (trigger_type_id)
                     JOIN programming_language l USING (language_id)
                WHERE c.contextual_telemetry_id = @Id
                """, contextual.ContextualTelemetryId));
        Assert.Equal([(behavioral.TimeSinceLastShownMs, behavioral.TimeSinceLastAcceptedMs, behavioral.TypingSpeed)],
            await ListAsync<(long?, long?, double?)>(
                "SELECT time_since_last_shown, time_since_last_accepted, typing_speed FROM behavioral_telemetry WHERE behavioral_telemetry_id = @Id",
                behavioral.BehavioralTelemetryId));
        Assert.Equal([((Guid?)null, contextual.ContextualTelemetryId, behavioral.BehavioralTelemetryId, context.ContextId, s.SessionId,
                ProjectIdentity.IdFor(s_anonymous, q.ProjectFolder), q.OccurredAt.UtcDateTime, q.TotalServingTimeMs, q.ServerVersion, "completion", "{}")],
            await ListAsync<(Guid?, Guid, Guid, Guid, Guid, Guid, DateTime, int, string, string, string)>(
                """
                SELECT user_id, contextual_telemetry_id, behavioral_telemetry_id, context_id, session_id, project_id, "timestamp",
                       total_serving_time, server_version, query_type, multi_file_context_changes_indexes::text
                FROM meta_query WHERE meta_query_id = @Id
                """, q.QueryId));
        Assert.Equal(["completion"], await ListAsync<string>("SELECT query_type FROM completion_query WHERE meta_query_id = @Id", q.QueryId));

        var stored = await ListAsync<(string, string, int, DateTime[], bool, double, double[])>(
            """
            SELECT m.model_name, g.completion, g.generation_time, g.shown_at, g.was_accepted, g.confidence, g.logprobs
            FROM had_generation g JOIN model_name m USING (model_id) WHERE g.meta_query_id = @Id ORDER BY m.model_name
            """, q.QueryId);
        Assert.Equal(generations.Count, stored.Count);
        foreach (var (expected, actual) in generations.OrderBy(g => g.Model, StringComparer.Ordinal).Zip(stored))
        {
            Assert.Equal((expected.Model, expected.Completion, expected.GenerationTimeMs, expected.WasAccepted, expected.Confidence),
                (actual.Item1, actual.Item2, actual.Item3, actual.Item5, actual.Item6));
            Assert.Equal(expected.ShownAt.Select(t => t.UtcDateTime).Order(), actual.Item4);
            Assert.Equal(expected.Logprobs, actual.Item7);
        }
    }

    private async Task<PostgresTelemetryWriter> WriterAsync()
    {
        var dataSource = await fixture.Database.ConnectAsMemberOfAsync("code4me_writer");
        return new PostgresTelemetryWriter(
            dataSource, new ReferenceData(dataSource), Options.Create(new Code4meStorageOptions()), new LoggerFactory([_logs]).CreateLogger<PostgresTelemetryWriter>())
        {
            Machine = Machine,
        };
    }

    private async Task<long> CountAsync(string sql, Guid id) => (await ListAsync<long>(sql, id)).Single();

    private async Task<List<T>> ListAsync<T>(string sql, Guid id)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        return [.. await connection.QueryAsync<T>(new CommandDefinition(sql, new { Id = id }, cancellationToken: TimeoutToken.Create()))];
    }
}
