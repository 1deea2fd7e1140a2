using System.Reflection;
using System.Text.Json.Serialization;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Code4me.Lsp.Storage.Spool;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.IntegrationTests.Telemetry;

/// <summary>The PostgreSQL telemetry writer, as a member of code4me_writer, against the real schema.</summary>
public sealed class PostgresTelemetryWriterTests(DatabaseFixture fixture, ITestOutputHelper output) : IClassFixture<DatabaseFixture>, IDisposable
{
    private const string Machine = "test-machine";
    private static readonly BatchOwner s_anonymous = new(null, null, null, Machine);   // the writers below: no token, no installation id
    private readonly XunitLoggerProvider _logs = new(output);

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task WriteAsync_OneEventOfEachKind_LandsFieldByField()
    {
        var s = new SampleEvents();
        var writer = await WriterAsync();

        await writer.WriteAsync(SampleEvents.Records(s.All), TimeoutToken.Create());

        var app = ProjectIdentity.IdFor(s_anonymous, $"/home/ada/{s.Tag}/app");
        var lib = ProjectIdentity.IdFor(s_anonymous, $"/home/ada/{s.Tag}/lib/");
        Assert.Equal((null, Utc(SampleEvents.T0), Utc(SampleEvents.T0.AddMinutes(30))),
            await SingleAsync<(Guid?, DateTime, DateTime?)>("SELECT user_id, start_time, end_time FROM session WHERE session_id = @Id", s.SessionId));
        Assert.Equal([(app, "app"), (lib, "lib")],
            await ListAsync<(Guid, string)>("SELECT p.project_id, p.project_name FROM session_projects sp JOIN project p USING (project_id) WHERE sp.session_id = @Id ORDER BY p.project_name", s.SessionId));

        var q = s.Query;
        Assert.Equal((q.Context!.ContextId, "def add(a, b):\n    return ", "\n\nprint(add(1, 2))", "calc.py", "a + b"),
            await SingleAsync<(Guid, string, string, string, string)>("SELECT context_id, prefix, suffix, file_name, selected_text FROM context WHERE context_id = @Id", q.Context.ContextId));
        Assert.Equal(("0.11.0", "Neovim", "auto", $"lang-{s.Tag}", $"/home/ada/{s.Tag}/app/calc.py", 1, 48, 0.5625),
            await SingleAsync<(string, string, string, string, string, int, int, double)>(
                """
                SELECT v.version_name, v.ide_type, t.trigger_type_name, l.language_name, c.file_path, c.caret_line,
                       c.document_char_length, c.relative_document_position
                FROM contextual_telemetry c JOIN plugin_version v USING (version_id) JOIN trigger_type t USING (trigger_type_id)
                     JOIN programming_language l USING (language_id)
                WHERE c.contextual_telemetry_id = @Id
                """, q.Contextual!.ContextualTelemetryId));
        Assert.Equal((1500L, (long?)null, 2.7),
            await SingleAsync<(long?, long?, double?)>(
                "SELECT time_since_last_shown, time_since_last_accepted, typing_speed FROM behavioral_telemetry WHERE behavioral_telemetry_id = @Id",
                q.Behavioral!.BehavioralTelemetryId));
        Assert.Equal(((Guid?)null, q.Contextual.ContextualTelemetryId, q.Behavioral.BehavioralTelemetryId, q.Context.ContextId, s.SessionId, app,
                Utc(q.OccurredAt), 410, "1.2.3-test", (long?)null, "completion", "{}"),
            await SingleAsync<(Guid?, Guid, Guid, Guid, Guid, Guid, DateTime, int, string, long?, string, string)>(
                """
                SELECT user_id, contextual_telemetry_id, behavioral_telemetry_id, context_id, session_id, project_id, "timestamp",
                       total_serving_time, server_version, server_version_id, query_type, multi_file_context_changes_indexes::text
                FROM meta_query WHERE meta_query_id = @Id
                """, s.QueryId));
        Assert.Equal("completion", await SingleAsync<string>("SELECT query_type FROM completion_query WHERE meta_query_id = @Id", s.QueryId));

        var generations = await ListAsync<(string, string, int, DateTime[], bool, double, double[], int?, int?, bool)>(
            """
            SELECT m.model_name, g.completion, g.generation_time, g.shown_at, g.was_accepted, g.confidence, g.logprobs,
                   g.prompt_tokens, g.completion_tokens, g.is_mistake
            FROM had_generation g JOIN model_name m USING (model_id) WHERE g.meta_query_id = @Id ORDER BY m.model_name
            """, s.QueryId);
        Assert.Equal(2, generations.Count);
        AssertGeneration((s.ModelA, "a + b", 120, [Utc(s.Shown.OccurredAt), Utc(s.ShownAgain.OccurredAt)], true, 0.875, [-0.1, -0.25, -0.5], 57, 3, false), generations[0]);
        AssertGeneration((s.ModelB, "sum([a, b])", 340, [Utc(SampleEvents.T0.AddSeconds(1.5))], false, 0.5, [], null, null, false), generations[1]);

        Assert.Equal(
            [
                (s.Partial.EventId, s.ModelA, "partially_accepted", Utc(s.Partial.OccurredAt), (int?)3),
                (s.Accepted.EventId, s.ModelA, "accepted", Utc(s.Accepted.OccurredAt), null),
                (s.Rejected.EventId, s.ModelB, "rejected", Utc(s.Rejected.OccurredAt), null),
            ],
            await ListAsync<(Guid, string, string, DateTime, int?)>(
                """
                SELECT f.event_id, m.model_name, f.kind, f.occurred_at, f.accepted_length
                FROM generation_feedback f JOIN model_name m USING (model_id) WHERE f.meta_query_id = @Id ORDER BY f.occurred_at
                """, s.QueryId));
        Assert.Equal([(Utc(s.GroundTruth.TruthTimestamp), "a + b", 15, "    return ", "\n\nprint")],
            await ListAsync<(DateTime, string, int, string, string)>(
                "SELECT truth_timestamp, ground_truth, after_seconds, context_before, context_after FROM ground_truth WHERE completion_query_id = @Id", s.QueryId));
        Assert.Equal([(s.ModelA, 15, Utc(s.Retention.OccurredAt), 5, 4)],
            await ListAsync<(string, int, DateTime, int, int)>(
                """
                SELECT m.model_name, r.after_seconds, r.measured_at, r.accepted_chars, r.retained_chars
                FROM completion_retention r JOIN model_name m USING (model_id) WHERE r.meta_query_id = @Id
                """, s.QueryId));
        Assert.Equal([(Utc(s.ConsentChanged.OccurredAt), "consent", "consent_changed", true, false, "workspace/didChangeConfiguration")],
            await ListAsync<(DateTime, string, string, bool, bool, string)>(
                """
                SELECT occurred_at, event_type, action, (detail->'previous'->>'storeContext')::boolean,
                       (detail->'current'->>'storeContext')::boolean, detail->>'origin'
                FROM audit_log WHERE audit_id = @Id
                """, s.ConsentChanged.EventId));
    }

    [Fact]
    public async Task WriteAsync_SameBatchTwice_WritesNoDuplicates()
    {
        var s = new SampleEvents();
        var writer = await WriterAsync();
        var records = SampleEvents.Records(s.All);

        await writer.WriteAsync(records, TimeoutToken.Create());
        var first = await CountsAsync(s);
        await writer.WriteAsync(records, TimeoutToken.Create());
        await writer.WriteAsync(records.AsEnumerable().Reverse().ToList(), TimeoutToken.Create());   // FK order holds within any batch
        var again = await CountsAsync(s);

        Assert.Equal([1, 2, 1, 1, 1, 1, 1, 2, 3, 1, 1, 3], first);
        Assert.Equal(first, again);
        Assert.Equal(0, writer.SkippedCount);
    }

    [Fact]
    public async Task Shown_TwiceInLaterBatches_AddsTwoEntriesOnceEach()
    {
        var s = new SampleEvents();
        var writer = await WriterAsync();

        await writer.WriteAsync(SampleEvents.Records([s.Session, s.Query]), TimeoutToken.Create());
        await writer.WriteAsync(SampleEvents.Records([s.Shown]), TimeoutToken.Create());
        await writer.WriteAsync(SampleEvents.Records([s.ShownAgain, s.Shown]), TimeoutToken.Create());   // the first one replayed
        await writer.WriteAsync(SampleEvents.Records([s.ShownAgain, s.Accepted]), TimeoutToken.Create());

        var (shownAt, accepted) = await SingleAsync<(DateTime[], bool)>(
            "SELECT g.shown_at, g.was_accepted FROM had_generation g JOIN model_name m USING (model_id) WHERE g.meta_query_id = @Id AND m.model_name = @Model",
            s.QueryId, s.ModelA);
        Assert.Equal([Utc(s.Shown.OccurredAt), Utc(s.ShownAgain.OccurredAt)], shownAt);
        Assert.True(accepted);
    }

    [Fact]
    public async Task WriteAsync_AsWriterRole_IsNotASuperuserAndStillWrites()
    {
        var s = new SampleEvents();
        var dataSource = await fixture.Database.ConnectAsMemberOfAsync("code4me_writer");
        var writer = new PostgresTelemetryWriter(dataSource, new ReferenceData(dataSource), Options.Create(new Code4meStorageOptions()), Logger()) { Machine = Machine };
        await using var connection = await dataSource.OpenConnectionAsync(TimeoutToken.Create());
        var (super, selectMetaQuery) = await connection.QuerySingleAsync<(bool, bool)>(
            "SELECT rolsuper, has_table_privilege('meta_query', 'SELECT') FROM pg_roles WHERE rolname = current_user");

        await writer.WriteAsync(SampleEvents.Records(s.All), TimeoutToken.Create());

        Assert.False(super);
        Assert.False(selectMetaQuery);
        Assert.Equal(1, await SingleAsync<long>("SELECT count(*) FROM meta_query WHERE meta_query_id = @Id", s.QueryId));
    }

    [Fact]
    public async Task WriteAsync_ConfiguredAuthToken_PutsItsUserOnSessionQueryAndProjects()
    {
        var s = new SampleEvents();
        var (userId, token) = (Guid.CreateVersion7(), Guid.NewGuid());
        await fixture.Database.ExecuteAsync(
            "INSERT INTO \"user\" (user_id, email, name, password, auth_token) VALUES (@userId, @email, 'Ada', '$argon2id$v=19$x', @token)",
            new { userId, token, email = $"{s.Tag}@example.org" });
        var writer = await WriterAsync(token);

        await writer.WriteAsync(SampleEvents.Records(s.All), TimeoutToken.Create());

        Assert.Equal(userId, await SingleAsync<Guid?>("SELECT user_id FROM session WHERE session_id = @Id", s.SessionId));
        Assert.Equal(userId, await SingleAsync<Guid?>("SELECT user_id FROM meta_query WHERE meta_query_id = @Id", s.QueryId));
        Assert.Equal(2, await SingleAsync<long>(
            "SELECT count(*) FROM project_users pu JOIN session_projects sp USING (project_id) WHERE sp.session_id = @Id AND pu.user_id = @Model::uuid",
            s.SessionId, userId.ToString()));
    }

    [Fact]
    public async Task WriteAsync_QueryWithoutConsentedModulesAndLostSessionStart_StoresNullsAndAStandInSession()
    {
        var s = new SampleEvents();
        var query = s.Query with { Context = null, Contextual = null, Behavioral = null, ProjectFolder = null };
        var writer = await WriterAsync();

        await writer.WriteAsync(SampleEvents.Records([query, s.GroundTruth with { Truth = null }]), TimeoutToken.Create());

        Assert.Equal(((Guid?)null, (Guid?)null, (Guid?)null, ProjectIdentity.IdFor(s_anonymous, null)),
            await SingleAsync<(Guid?, Guid?, Guid?, Guid)>(
                "SELECT context_id, contextual_telemetry_id, behavioral_telemetry_id, project_id FROM meta_query WHERE meta_query_id = @Id", s.QueryId));
        Assert.Equal(ProjectIdentity.NoFolderName, await SingleAsync<string>("SELECT project_name FROM project WHERE project_id = @Id", ProjectIdentity.IdFor(s_anonymous, null)));
        Assert.Equal(Utc(query.OccurredAt), await SingleAsync<DateTime>("SELECT start_time FROM session WHERE session_id = @Id", s.SessionId));
        Assert.Equal(0, await SingleAsync<long>("SELECT count(*) FROM ground_truth WHERE completion_query_id = @Id", s.QueryId));
    }

    [Fact]
    public async Task WriteAsync_FollowUpsOfAQueryThatNeverArrived_SkipsOnlyThoseAndWritesTheRest()
    {
        var lost = new SampleEvents("lost");
        var kept = new SampleEvents("kept");
        var writer = await WriterAsync();

        await writer.WriteAsync(
            SampleEvents.Records([kept.Session, lost.Shown, lost.Accepted, lost.Rejected, lost.GroundTruth, lost.Retention, kept.Query, kept.Accepted]),
            TimeoutToken.Create());

        Assert.Equal(2, writer.SkippedCount);   // ground truth and retention: their foreign keys cannot hold
        Assert.Equal(0, await SingleAsync<long>("SELECT count(*) FROM generation_feedback WHERE meta_query_id = @Id", lost.QueryId));
        Assert.True(await SingleAsync<bool>("SELECT bool_or(was_accepted) FROM had_generation WHERE meta_query_id = @Id", kept.QueryId));
        Assert.Equal(2, _logs.Lines.Count(l => l.Contains("can never be stored and is skipped", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WriteAsync_PerEventForeignKeyBroken_IsRefusedAtCommitAndOnlyThatEventIsSkipped()
    {
        // The per-event tables' keys are checked at COMMIT in the writer's transactions (migration 0008): a key that
        // cannot hold must still refuse the batch, and the event-by-event retry must still skip only its event.
        var stale = new SampleEvents("stale");
        var kept = new SampleEvents("kept");
        var (writer, references) = await WriterWithReferencesAsync();
        var modelId = await references.GetModelIdAsync(stale.ModelB, false, TimeoutToken.Create());
        await using (var connection = await fixture.Database.DataSource.OpenConnectionAsync(TimeoutToken.Create()))
        {
            // The writer's cache still holds the id; had_generation's key to model_name cannot hold any more.
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM model_name WHERE model_id = @Id", new { Id = modelId }, cancellationToken: TimeoutToken.Create()));
        }

        await writer.WriteAsync(SampleEvents.Records([kept.Session, stale.Session, stale.Query, kept.Query]), TimeoutToken.Create());

        Assert.Equal(1, writer.SkippedCount);
        Assert.Equal(0, await SingleAsync<long>("SELECT count(*) FROM meta_query WHERE meta_query_id = @Id", stale.QueryId));
        Assert.Equal(0, await SingleAsync<long>("SELECT count(*) FROM context WHERE context_id = @Id", stale.Query.Context!.ContextId));
        Assert.Equal(2, await SingleAsync<long>("SELECT count(*) FROM had_generation WHERE meta_query_id = @Id", kept.QueryId));
        Assert.Equal(1, await SingleAsync<long>("SELECT count(*) FROM session WHERE session_id = @Id", stale.SessionId));
        Assert.Single(_logs.Lines, l => l.Contains("can never be stored and is skipped", StringComparison.Ordinal) && l.Contains("23503", StringComparison.Ordinal));
    }

    [Fact]
    public void TelemetryEvent_EveryDerivedType_HasASampleThatTheWriterMaps()
    {
        var declared = typeof(TelemetryEvent).GetCustomAttributes<JsonDerivedTypeAttribute>().Select(a => a.DerivedType).Order(TypeNameComparer.Instance);

        var sampled = new SampleEvents().All.Select(e => e.GetType()).Distinct().Order(TypeNameComparer.Instance);

        Assert.Equal(declared, sampled);   // and the first test writes every sample field by field
    }

    [Fact]
    public async Task WriteAsync_UnknownEventType_ThrowsInsteadOfDropping()
    {
        var writer = await WriterAsync();

        var error = await Assert.ThrowsAsync<NotSupportedException>(() =>
            writer.WriteAsync([new SpooledRecord(1, new MadeUpEvent(Guid.CreateVersion7(), SampleEvents.T0))], TimeoutToken.Create()));

        Assert.Contains(nameof(MadeUpEvent), error.Message, StringComparison.Ordinal);
    }

    private sealed record MadeUpEvent(Guid EventId, DateTimeOffset OccurredAt) : TelemetryEvent(EventId, OccurredAt);

    private sealed class TypeNameComparer : IComparer<Type>
    {
        public static readonly TypeNameComparer Instance = new();

        public int Compare(Type? x, Type? y) => string.CompareOrdinal(x?.Name, y?.Name);
    }

    private static void AssertGeneration(
        (string, string, int, DateTime[], bool, double, double[], int?, int?, bool) expected,
        (string, string, int, DateTime[], bool, double, double[], int?, int?, bool) actual)
    {
        Assert.Equal((expected.Item1, expected.Item2, expected.Item3), (actual.Item1, actual.Item2, actual.Item3));
        Assert.Equal(expected.Item4, actual.Item4);
        Assert.Equal((expected.Item5, expected.Item6), (actual.Item5, actual.Item6));
        Assert.Equal(expected.Item7, actual.Item7);
        Assert.Equal((expected.Item8, expected.Item9, expected.Item10), (actual.Item8, actual.Item9, actual.Item10));
    }

    private async Task<long[]> CountsAsync(SampleEvents s)
    {
        var counts = await SingleAsync<(long, long, long, long, long, long, long, long, long, long, long, long)>(
            """
            SELECT (SELECT count(*) FROM session WHERE session_id = @Id),
                   (SELECT count(*) FROM session_projects WHERE session_id = @Id),
                   (SELECT count(*) FROM meta_query WHERE session_id = @Id),
                   (SELECT count(*) FROM completion_query c JOIN meta_query m USING (meta_query_id) WHERE m.session_id = @Id),
                   (SELECT count(*) FROM context c JOIN meta_query m USING (context_id) WHERE m.session_id = @Id),
                   (SELECT count(*) FROM contextual_telemetry c JOIN meta_query m USING (contextual_telemetry_id) WHERE m.session_id = @Id),
                   (SELECT count(*) FROM behavioral_telemetry c JOIN meta_query m USING (behavioral_telemetry_id) WHERE m.session_id = @Id),
                   (SELECT count(*) FROM had_generation g JOIN meta_query m USING (meta_query_id) WHERE m.session_id = @Id),
                   (SELECT count(*) FROM generation_feedback f JOIN meta_query m USING (meta_query_id) WHERE m.session_id = @Id),
                   (SELECT count(*) FROM ground_truth g JOIN meta_query m ON m.meta_query_id = g.completion_query_id WHERE m.session_id = @Id),
                   (SELECT count(*) FROM completion_retention r JOIN meta_query m USING (meta_query_id) WHERE m.session_id = @Id),
                   (SELECT sum(cardinality(g.shown_at)) FROM had_generation g JOIN meta_query m USING (meta_query_id) WHERE m.session_id = @Id)
            """, s.SessionId);
        return [counts.Item1, counts.Item2, counts.Item3, counts.Item4, counts.Item5, counts.Item6, counts.Item7, counts.Item8,
            counts.Item9, counts.Item10, counts.Item11, counts.Item12];
    }

    private async Task<PostgresTelemetryWriter> WriterAsync(Guid? authToken = null) => (await WriterWithReferencesAsync(authToken)).Writer;

    /// <summary>A writer as code4me_writer, and the reference-id cache it uses.</summary>
    private async Task<(PostgresTelemetryWriter Writer, ReferenceData References)> WriterWithReferencesAsync(Guid? authToken = null)
    {
        var dataSource = await fixture.Database.ConnectAsMemberOfAsync("code4me_writer");
        var references = new ReferenceData(dataSource);
        var writer = new PostgresTelemetryWriter(dataSource, references, Options.Create(new Code4meStorageOptions { AuthToken = authToken }), Logger())
        {
            Machine = Machine,
        };
        return (writer, references);
    }

    private ILogger<PostgresTelemetryWriter> Logger() => new LoggerFactory([_logs]).CreateLogger<PostgresTelemetryWriter>();

    private async Task<T> SingleAsync<T>(string sql, Guid id, string? model = null)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        return await connection.QuerySingleAsync<T>(new CommandDefinition(sql, new { Id = id, Model = model }, cancellationToken: TimeoutToken.Create()));
    }

    private async Task<List<T>> ListAsync<T>(string sql, Guid id)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        return [.. await connection.QueryAsync<T>(new CommandDefinition(sql, new { Id = id }, cancellationToken: TimeoutToken.Create()))];
    }

    private static DateTime Utc(DateTimeOffset value) => value.UtcDateTime;
}
