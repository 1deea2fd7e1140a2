using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage.Postgres.Reference;
using Npgsql;
using NpgsqlTypes;
using static Code4me.Lsp.Storage.Postgres.Telemetry.BatchParameters;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>
/// The rows of one batch of telemetry events, table by table, and how they are written, in foreign-key order:
/// <list type="number">
/// <item>the proof of who writes (<see cref="WriterProof"/>: the auth token and installation id, transaction-local;
/// PostgreSQL refuses a row of any other user, migration 0009), then the small shared rows (session, project, project_users, session_projects): one <see cref="NpgsqlBatch"/>,
/// one statement per table, <c>unnest</c> of column arrays with a bare <c>ON CONFLICT DO NOTHING</c>;</item>
/// <item>the per-event tables (context, contextual_telemetry, behavioral_telemetry, meta_query, completion_query,
/// had_generation): one binary COPY each (<see cref="CopyTable{TRow}"/>, columns listed once in the
/// <c>s_…</c> fields below), straight into the table or, <c>staged</c>, through a temporary table and
/// <c>INSERT … SELECT … ON CONFLICT DO NOTHING</c>;</item>
/// <item>the follow-ups (<c>session_end</c>, audit_log, then <see cref="FollowUpRows"/>: <c>record_generation_feedback</c>,
/// ground_truth, completion_retention): one more <see cref="NpgsqlBatch"/> like the first.</item>
/// </list>
/// The per-event tables' foreign keys are checked at COMMIT (<see cref="DeferKeysSql"/>).
/// Every parameter (<see cref="BatchParameters"/>) and COPY value carries its <see cref="NpgsqlDbType"/>; timestamps go
/// as UTC <see cref="DateTime"/>s into <c>timestamptz</c>.
/// </summary>
internal sealed class TelemetryBatch
{
    /// <summary>
    /// The foreign keys of the per-event tables (DEFERRABLE INITIALLY IMMEDIATE since migration 0008) are checked at
    /// COMMIT in the writer's transactions: checked inside a COPY, each check probes a resource-owner hash that the
    /// COPY's multi-insert buffer has filled, about 10 % of PostgreSQL's CPU per event. The checks are the same and a
    /// violation still fails the batch, at COMMIT instead of at the COPY.
    /// </summary>
    private const string DeferKeysSql = "SET CONSTRAINTS ALL DEFERRED";

    /// <summary>
    /// Since 0011 most of those keys reference a partitioned table, whose check PostgreSQL (15) would otherwise plan
    /// again for every row (a custom plan, pruned to one partition); generic plans prune at run time instead, and the
    /// checks at COMMIT cost a third as much. Transaction-local, like every setting the writer makes (PgBouncer).
    /// </summary>
    private const string GenericPlansSql = "SET LOCAL plan_cache_mode = force_generic_plan";

    private const string SessionSql = """
        INSERT INTO session (session_id, user_id, start_time, installation_id)
        SELECT id, $3, start_time, installation FROM unnest($1::uuid[], $2::timestamptz[], $4::uuid[]) AS u(id, start_time, installation)
        ON CONFLICT DO NOTHING
        """;

    // The owner columns make the project the writer's own: only its owner may add multi-file context (0009).
    private const string ProjectSql = """
        INSERT INTO project (project_id, project_name, owner_user_id, owner_installation_id)
        SELECT id, name, $3, $4 FROM unnest($1::uuid[], $2::text[]) AS u(id, name)
        ON CONFLICT DO NOTHING
        """;

    private const string ProjectUsersSql = """
        INSERT INTO project_users (project_id, user_id)
        SELECT id, $2 FROM unnest($1::uuid[]) AS u(id)
        ON CONFLICT DO NOTHING
        """;

    private const string SessionProjectsSql = """
        INSERT INTO session_projects (session_id, project_id)
        SELECT * FROM unnest($1::uuid[], $2::uuid[])
        ON CONFLICT DO NOTHING
        """;

    private const string SessionEndSql = """
        SELECT count(session_end(id, end_time)) FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, end_time)
        """;

    // Consent changes are audit records of the user's choice; detail holds both levels and where the change came from.
    private const string AuditSql = """
        INSERT INTO audit_log (audit_id, occurred_at, user_id, event_type, action, detail)
        SELECT id, at, $3, 'consent', 'consent_changed', detail::jsonb FROM unnest($1::uuid[], $2::timestamptz[], $4::text[]) AS u(id, at, detail)
        ON CONFLICT DO NOTHING
        """;

    private static readonly CopyTable<ContextRecord> s_context = new CopyTable<ContextRecord>("context")
        .Column("context_id", NpgsqlDbType.Uuid, r => r.ContextId)
        .Column("prefix", NpgsqlDbType.Text, r => r.Prefix)
        .Column("suffix", NpgsqlDbType.Text, r => r.Suffix)
        .Column("file_name", NpgsqlDbType.Text, r => r.FileName)
        .Column("selected_text", NpgsqlDbType.Text, r => r.SelectedText);

    private static readonly CopyTable<ContextualRow> s_contextual = new CopyTable<ContextualRow>("contextual_telemetry")
        .Column("contextual_telemetry_id", NpgsqlDbType.Uuid, r => r.Telemetry.ContextualTelemetryId)
        .Column("version_id", NpgsqlDbType.Bigint, r => r.VersionId)
        .Column("trigger_type_id", NpgsqlDbType.Bigint, r => r.TriggerTypeId)
        .Column("language_id", NpgsqlDbType.Bigint, r => r.LanguageId)
        .Column("file_path", NpgsqlDbType.Text, r => r.Telemetry.FilePath)
        .Column("caret_line", NpgsqlDbType.Integer, r => r.Telemetry.CaretLine)
        .Column("document_char_length", NpgsqlDbType.Integer, r => r.Telemetry.DocumentCharLength)
        .Column("relative_document_position", NpgsqlDbType.Double, r => r.Telemetry.RelativeDocumentPosition);

    private static readonly CopyTable<BehavioralTelemetry> s_behavioral = new CopyTable<BehavioralTelemetry>("behavioral_telemetry")
        .Column("behavioral_telemetry_id", NpgsqlDbType.Uuid, r => r.BehavioralTelemetryId)
        .Column("time_since_last_shown", NpgsqlDbType.Bigint, r => r.TimeSinceLastShownMs)
        .Column("time_since_last_accepted", NpgsqlDbType.Bigint, r => r.TimeSinceLastAcceptedMs)
        .Column("typing_speed", NpgsqlDbType.Double, r => r.TypingSpeed);

    // The one list of meta_query's columns: a new column is one more line here (and a value on the event).
    private static readonly CopyTable<MetaQueryRow> s_metaQuery = new CopyTable<MetaQueryRow>("meta_query")
        .Column("meta_query_id", NpgsqlDbType.Uuid, r => r.Query.QueryId)
        .Column("user_id", NpgsqlDbType.Uuid, r => r.UserId)
        .Column("contextual_telemetry_id", NpgsqlDbType.Uuid, r => r.Query.Contextual?.ContextualTelemetryId)
        .Column("behavioral_telemetry_id", NpgsqlDbType.Uuid, r => r.Query.Behavioral?.BehavioralTelemetryId)
        .Column("context_id", NpgsqlDbType.Uuid, r => r.Query.Context?.ContextId)
        .Column("session_id", NpgsqlDbType.Uuid, r => r.Query.SessionId)
        .Column("project_id", NpgsqlDbType.Uuid, r => r.ProjectId)
        .Column("\"timestamp\"", NpgsqlDbType.TimestampTz, r => r.Timestamp)
        .Column("total_serving_time", NpgsqlDbType.Integer, r => r.Query.TotalServingTimeMs)
        .Column("server_version", NpgsqlDbType.Text, r => r.Query.ServerVersion)
        .Column("query_type", NpgsqlDbType.Text, _ => "completion")
        .Column("multi_file_context_changes_indexes", NpgsqlDbType.Jsonb, r => MultiFileContextRows.IndexesJson(r.Query.MultiFile));

    private static readonly CopyTable<MetaQueryRow> s_completionQuery = new CopyTable<MetaQueryRow>("completion_query")
        .Column("meta_query_id", NpgsqlDbType.Uuid, r => r.Query.QueryId);

    private static readonly CopyTable<GenerationRow> s_hadGeneration = new CopyTable<GenerationRow>("had_generation")
        .Column("meta_query_id", NpgsqlDbType.Uuid, r => r.QueryId)
        .Column("model_id", NpgsqlDbType.Bigint, r => r.ModelId)
        .Column("completion", NpgsqlDbType.Text, r => r.Generation.Completion)
        .Column("generation_time", NpgsqlDbType.Integer, r => r.Generation.GenerationTimeMs)
        .Column("shown_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, r => r.ShownAt)
        .Column("was_accepted", NpgsqlDbType.Boolean, r => r.Generation.WasAccepted)
        .Column("confidence", NpgsqlDbType.Double, r => r.Generation.Confidence)
        .Column("logprobs", NpgsqlDbType.Array | NpgsqlDbType.Double, r => r.Logprobs)
        .Column("prompt_tokens", NpgsqlDbType.Integer, r => r.Generation.PromptTokens)
        .Column("completion_tokens", NpgsqlDbType.Integer, r => r.Generation.CompletionTokens);

    private readonly BatchOwner _owner;

    // session: real starts win over the stand-ins made for queries whose session start never arrived.
    private readonly Dictionary<Guid, (DateTime Start, bool Real, Guid? Installation)> _sessions = [];
    private readonly Dictionary<Guid, string> _projects = [];
    private readonly HashSet<(Guid Session, Guid Project)> _sessionProjects = [];
    private readonly List<Guid> _sessionEndIds = [];
    private readonly List<Guid> _auditIds = [];
    private readonly List<DateTime> _auditTimes = [];
    private readonly List<string> _auditDetails = [];
    private readonly List<DateTime> _sessionEndTimes = [];

    private readonly List<ContextRecord> _contexts = [];
    private readonly List<ContextualRow> _contextuals = [];
    private readonly List<BehavioralTelemetry> _behaviorals = [];
    private readonly List<MetaQueryRow> _queries = [];
    private readonly List<GenerationRow> _generations = [];
    private readonly MultiFileContextRows _multiFile = new();
    private readonly FollowUpRows _followUps = new();


    private TelemetryBatch(BatchOwner owner) => _owner = owner;

    /// <summary>Events in this batch.</summary>
    public int EventCount { get; private set; }

    /// <summary>
    /// Maps the events to rows. Reference ids (models, languages, plugin versions, trigger types) come from
    /// <paramref name="references"/> (get-or-create, cached). Throws <see cref="NotSupportedException"/> for an
    /// event type it does not know: nothing is ever dropped silently.
    /// </summary>
    public static async Task<TelemetryBatch> CreateAsync(
        IEnumerable<TelemetryEvent> events, ReferenceData references, BatchOwner owner, CancellationToken cancellationToken)
    {
        var batch = new TelemetryBatch(owner);
        foreach (var e in events)
        {
            await batch.AddAsync(e, references, cancellationToken);
            batch.EventCount++;
        }

        return batch;
    }

    /// <summary>
    /// Writes the batch in <paramref name="transaction"/>, in foreign-key order; tables without rows are left out.
    /// Direct (<paramref name="staged"/> false), a row of a per-event table whose key is already stored fails the
    /// whole batch with unique_violation (23505); staged, such rows are left as they are and the rest is inserted.
    /// </summary>
    public async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, bool staged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var copies = CopiesWithRows();
        await using (var before = new NpgsqlBatch(connection, transaction))
        {
            before.BatchCommands.Add(WriterProof.Command(_owner.AuthToken, _owner.InstallationId));
            Add(before, DeferKeysSql);
            Add(before, GenericPlansSql);
            if (staged)
            {
                foreach (var copy in copies)
                {
                    Add(before, copy.CreateStageSql);
                }
            }

            AddSharedRows(before);
            await ExecuteAsync(before, cancellationToken);
        }

        foreach (var copy in copies)
        {
            await copy.CopyAsync(connection, staged, cancellationToken);
        }

        await using (var after = new NpgsqlBatch(connection, transaction))
        {
            if (staged)
            {
                foreach (var copy in copies)
                {
                    Add(after, copy.MergeSql);
                }
            }

            AddFollowUps(after);
            await ExecuteAsync(after, cancellationToken);
        }
    }

    private static async Task ExecuteAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The per-event tables that have rows, in foreign-key order.</summary>
    private List<(string CreateStageSql, string MergeSql, Func<NpgsqlConnection, bool, CancellationToken, Task> CopyAsync)> CopiesWithRows()
    {
        var copies = new List<(string, string, Func<NpgsqlConnection, bool, CancellationToken, Task>)>();
        AddCopy(s_context, _contexts);
        AddCopy(s_contextual, _contextuals);
        AddCopy(s_behavioral, _behaviorals);
        AddCopy(s_metaQuery, _queries);
        AddCopy(s_completionQuery, _queries);
        AddCopy(s_hadGeneration, _generations);
        return copies;

        void AddCopy<TRow>(CopyTable<TRow> table, List<TRow> rows)
        {
            if (rows.Count > 0)
            {
                copies.Add((table.CreateStageSql, table.MergeSql, (connection, staged, token) => table.CopyAsync(connection, rows, staged, token)));
            }
        }
    }

    /// <summary>session, project, project_users, session_projects: before the per-event rows that reference them.</summary>
    private void AddSharedRows(NpgsqlBatch batch)
    {
        if (_sessions.Count > 0)
        {
            Add(batch, SessionSql, Uuids([.. _sessions.Keys]), Timestamps([.. _sessions.Values.Select(s => s.Start)]), Uuid(_owner.UserId),
                NullableUuids([.. _sessions.Values.Select(s => s.Installation)]));
        }

        if (_projects.Count > 0)
        {
            Add(batch, ProjectSql, Uuids([.. _projects.Keys]), Texts([.. _projects.Values]), Uuid(_owner.UserId), Uuid(_owner.InstallationId));
            if (_owner.UserId is not null)
            {
                Add(batch, ProjectUsersSql, Uuids([.. _projects.Keys]), Uuid(_owner.UserId));
            }
        }

        if (_multiFile.ToCommand() is { } multiFile)
        {
            batch.BatchCommands.Add(multiFile);
        }

        if (_sessionProjects.Count > 0)
        {
            Add(batch, SessionProjectsSql, Uuids([.. _sessionProjects.Select(p => p.Session)]), Uuids([.. _sessionProjects.Select(p => p.Project)]));
        }
    }

    /// <summary>Session ends, audit, feedback, ground truth, retention: after the rows they refer to.</summary>
    private void AddFollowUps(NpgsqlBatch batch)
    {
        if (_sessionEndIds.Count > 0)
        {
            Add(batch, SessionEndSql, Uuids(_sessionEndIds), Timestamps(_sessionEndTimes));
        }

        if (_auditIds.Count > 0)
        {
            Add(batch, AuditSql, Uuids(_auditIds), Timestamps(_auditTimes), Uuid(_owner.UserId), Texts(_auditDetails));
        }

        _followUps.AddTo(batch);
    }

    private async Task AddAsync(TelemetryEvent telemetryEvent, ReferenceData references, CancellationToken cancellationToken)
    {
        switch (telemetryEvent)
        {
            case SessionStartedEvent e:
                _sessions[e.SessionId] = (Utc(e.OccurredAt), true, e.InstallationId);
                foreach (var folder in e.WorkspaceFolders)
                {
                    _sessionProjects.Add((e.SessionId, AddProject(folder)));
                }

                break;
            case SessionEndedEvent e:
                _sessionEndIds.Add(e.SessionId);
                _sessionEndTimes.Add(Utc(e.OccurredAt));
                break;
            case CompletionQueryEvent e:
                await AddQueryAsync(e, references, cancellationToken);
                break;
            case ShownEvent e:
                await AddFeedbackAsync(e, e.QueryId, e.Model, "shown", null, references, cancellationToken);
                break;
            case AcceptedEvent e:
                await AddFeedbackAsync(e, e.QueryId, e.Model, "accepted", null, references, cancellationToken);
                break;
            case PartialAcceptEvent e:
                await AddFeedbackAsync(e, e.QueryId, e.Model, "partially_accepted", e.AcceptedLength, references, cancellationToken);
                break;
            case RejectedEvent e:
                await AddFeedbackAsync(e, e.QueryId, e.Model, "rejected", null, references, cancellationToken);
                break;
            case GroundTruthEvent e:
                _followUps.AddGroundTruth(e);
                break;
            case ConsentChangedEvent e:
                _auditIds.Add(e.EventId);
                _auditTimes.Add(Utc(e.OccurredAt));
                _auditDetails.Add(ConsentDetail(e));
                break;
            case RetentionEvent e:
                _followUps.AddRetention(e, await references.GetModelIdAsync(e.Model, isInstructionTuned: false, cancellationToken));
                break;
            default:
                throw new NotSupportedException(
                    $"The PostgreSQL telemetry writer does not know the event type {telemetryEvent.GetType().Name}; map it in {nameof(TelemetryBatch)}.");
        }
    }

    private async Task AddQueryAsync(CompletionQueryEvent e, ReferenceData references, CancellationToken cancellationToken)
    {
        var at = Utc(e.OccurredAt);
        _sessions.TryAdd(e.SessionId, (at, false, null));
        var projectId = AddProject(e.ProjectFolder);

        if (e.Context is { } context)
        {
            _contexts.Add(context);
        }

        if (e.Contextual is { } contextual)
        {
            _contextuals.Add(new ContextualRow(
                contextual,
                await references.GetPluginVersionIdAsync(contextual.PluginVersion, contextual.Ide, description: null, cancellationToken),
                await references.GetTriggerTypeIdAsync(TriggerName(contextual.Trigger), cancellationToken),
                await references.GetLanguageIdAsync(contextual.Language, cancellationToken)));
        }

        if (e.Behavioral is { } behavioral)
        {
            _behaviorals.Add(behavioral);
        }

        _queries.Add(new MetaQueryRow(e, projectId, _owner.UserId, at));
        _multiFile.Add(projectId, e.MultiFile);

        foreach (var generation in e.Generations)
        {
            _generations.Add(new GenerationRow(
                e.QueryId,
                await references.GetModelIdAsync(generation.Model, isInstructionTuned: false, cancellationToken),
                generation,
                [.. generation.ShownAt.Select(Utc).Distinct().Order()],
                [.. generation.Logprobs]));
        }
    }

    private async Task AddFeedbackAsync(
        TelemetryEvent e, Guid queryId, string model, string kind, int? acceptedLength, ReferenceData references, CancellationToken cancellationToken)
    {
        _followUps.AddFeedback(e, queryId, await references.GetModelIdAsync(model, isInstructionTuned: false, cancellationToken), kind, acceptedLength);
    }

    private Guid AddProject(string? folder)
    {
        var id = ProjectIdentity.IdFor(_owner, folder);
        _projects.TryAdd(id, ProjectIdentity.NameFor(folder));
        return id;
    }

    private static string TriggerName(CompletionTrigger trigger) => trigger switch
    {
        CompletionTrigger.Manual => "manual",
        CompletionTrigger.Auto => "auto",
        CompletionTrigger.Idle => "idle",
        _ => throw new NotSupportedException($"Unknown completion trigger {trigger}."),
    };

    private static DateTime Utc(DateTimeOffset value) => value.UtcDateTime;

    private static string ConsentDetail(ConsentChangedEvent e)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("sessionId", e.SessionId);
            json.WriteString("origin", e.Origin);
            WriteLevel(json, "previous", e.Previous);
            WriteLevel(json, "current", e.Current);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());

        static void WriteLevel(System.Text.Json.Utf8JsonWriter json, string name, ConsentLevel level)
        {
            json.WriteStartObject(name);
            json.WriteBoolean("enabled", level.Enabled);
            json.WriteBoolean("storeContext", level.StoreContext);
            json.WriteBoolean("storeContextual", level.StoreContextual);
            json.WriteBoolean("storeBehavioral", level.StoreBehavioral);
            json.WriteEndObject();
        }
    }
}
