using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage.Postgres.Reference;
using Npgsql;
using NpgsqlTypes;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>
/// The rows of one batch of telemetry events, table by table, as column arrays, and the statements that write
/// them: one per table (<c>unnest</c> of the arrays, bare <c>ON CONFLICT DO NOTHING</c>, so a replay inserts
/// nothing), sent together as one <see cref="NpgsqlBatch"/> in FK order. Per-row arrays (<c>shown_at</c>,
/// <c>logprobs</c>) travel as one flat array plus a start and a count per row, because <c>unnest</c> flattens
/// nested arrays. Every parameter carries its <see cref="NpgsqlDbType"/>; timestamps go as UTC
/// <see cref="DateTime"/>s into <c>timestamptz</c>.
/// </summary>
internal sealed class TelemetryBatch
{
    private const string SessionSql = """
        INSERT INTO session (session_id, user_id, start_time, installation_id)
        SELECT id, $3, start_time, installation FROM unnest($1::uuid[], $2::timestamptz[], $4::uuid[]) AS u(id, start_time, installation)
        ON CONFLICT DO NOTHING
        """;

    private const string ProjectSql = """
        INSERT INTO project (project_id, project_name)
        SELECT * FROM unnest($1::uuid[], $2::text[])
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

    private const string ContextSql = """
        INSERT INTO context (context_id, prefix, suffix, file_name, selected_text)
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])
        ON CONFLICT DO NOTHING
        """;

    private const string ContextualSql = """
        INSERT INTO contextual_telemetry (contextual_telemetry_id, version_id, trigger_type_id, language_id, file_path,
                                          caret_line, document_char_length, relative_document_position)
        SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::integer[], $7::integer[], $8::double precision[])
        ON CONFLICT DO NOTHING
        """;

    private const string BehavioralSql = """
        INSERT INTO behavioral_telemetry (behavioral_telemetry_id, time_since_last_shown, time_since_last_accepted, typing_speed)
        SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::double precision[])
        ON CONFLICT DO NOTHING
        """;

    private const string MetaQuerySql = """
        INSERT INTO meta_query (meta_query_id, user_id, contextual_telemetry_id, behavioral_telemetry_id, context_id, session_id,
                                project_id, "timestamp", total_serving_time, server_version, query_type, multi_file_context_changes_indexes)
        SELECT id, $10, contextual, behavioral, context, session, project, at, serving, version, 'completion', indexes
        FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::timestamptz[], $8::integer[], $9::text[], $11::jsonb[])
            AS u(id, contextual, behavioral, context, session, project, at, serving, version, indexes)
        ON CONFLICT DO NOTHING
        """;

    private const string CompletionQuerySql = """
        INSERT INTO completion_query (meta_query_id)
        SELECT * FROM unnest($1::uuid[])
        ON CONFLICT DO NOTHING
        """;

    private const string HadGenerationSql = """
        INSERT INTO had_generation (meta_query_id, model_id, completion, generation_time, shown_at, was_accepted, confidence, logprobs)
        SELECT q, m, c, g,
               CASE WHEN shown_count = 0 THEN '{}' ELSE ($5::timestamptz[])[shown_start : shown_start + shown_count - 1] END,
               a, conf,
               CASE WHEN logprob_count = 0 THEN '{}' ELSE ($10::double precision[])[logprob_start : logprob_start + logprob_count - 1] END
        FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::integer[], $6::integer[], $7::integer[], $8::boolean[],
                    $9::double precision[], $11::integer[], $12::integer[])
            AS u(q, m, c, g, shown_start, shown_count, a, conf, logprob_start, logprob_count)
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

    private const string FeedbackSql = """
        SELECT record_generation_feedback($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::timestamptz[], $6::integer[])
        """;

    private const string GroundTruthSql = """
        INSERT INTO ground_truth (completion_query_id, truth_timestamp, ground_truth, after_seconds, context_before, context_after)
        SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::integer[], $5::text[], $6::text[])
        ON CONFLICT DO NOTHING
        """;

    private const string RetentionSql = """
        INSERT INTO completion_retention (meta_query_id, model_id, after_seconds, measured_at, accepted_chars, retained_chars)
        SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::integer[], $4::timestamptz[], $5::integer[], $6::integer[])
        ON CONFLICT DO NOTHING
        """;

    private readonly Guid? _userId;
    private readonly string _machine;

    // session: real starts win over the stand-ins made for queries whose session start never arrived.
    private readonly Dictionary<Guid, (DateTime Start, bool Real, Guid? Installation)> _sessions = [];
    private readonly Dictionary<Guid, string> _projects = [];
    private readonly HashSet<(Guid Session, Guid Project)> _sessionProjects = [];
    private readonly List<Guid> _sessionEndIds = [];
    private readonly List<Guid> _auditIds = [];
    private readonly List<DateTime> _auditTimes = [];
    private readonly List<string> _auditDetails = [];
    private readonly List<DateTime> _sessionEndTimes = [];

    private readonly List<Guid> _contextIds = [];
    private readonly List<string?> _prefixes = [];
    private readonly List<string?> _suffixes = [];
    private readonly List<string?> _fileNames = [];
    private readonly List<string?> _selectedTexts = [];

    private readonly List<Guid> _contextualIds = [];
    private readonly List<long> _versionIds = [];
    private readonly List<long> _triggerIds = [];
    private readonly List<long> _languageIds = [];
    private readonly List<string?> _filePaths = [];
    private readonly List<int> _caretLines = [];
    private readonly List<int> _documentLengths = [];
    private readonly List<double> _relativePositions = [];

    private readonly List<Guid> _behavioralIds = [];
    private readonly List<long?> _sinceShown = [];
    private readonly List<long?> _sinceAccepted = [];
    private readonly List<double?> _typingSpeeds = [];

    private readonly List<Guid> _queryIds = [];
    private readonly List<Guid?> _queryContextualIds = [];
    private readonly List<Guid?> _queryBehavioralIds = [];
    private readonly List<Guid?> _queryContextIds = [];
    private readonly List<Guid> _querySessionIds = [];
    private readonly List<Guid> _queryProjectIds = [];
    private readonly List<DateTime> _queryTimes = [];
    private readonly List<int> _servingTimes = [];
    private readonly List<string> _serverVersions = [];
    private readonly List<string> _multiFileIndexes = [];
    private readonly MultiFileContextRows _multiFile = new();

    private readonly List<Guid> _generationQueryIds = [];
    private readonly List<long> _generationModelIds = [];
    private readonly List<string> _completions = [];
    private readonly List<int> _generationTimes = [];
    private readonly List<DateTime> _shownFlat = [];
    private readonly List<int> _shownStarts = [];
    private readonly List<int> _shownCounts = [];
    private readonly List<bool> _wasAccepted = [];
    private readonly List<double> _confidences = [];
    private readonly List<double> _logprobsFlat = [];
    private readonly List<int> _logprobStarts = [];
    private readonly List<int> _logprobCounts = [];

    private readonly List<Guid> _feedbackEventIds = [];
    private readonly List<Guid> _feedbackQueryIds = [];
    private readonly List<long> _feedbackModelIds = [];
    private readonly List<string> _feedbackKinds = [];
    private readonly List<DateTime> _feedbackTimes = [];
    private readonly List<int?> _feedbackLengths = [];

    private readonly List<Guid> _truthQueryIds = [];
    private readonly List<DateTime> _truthTimes = [];
    private readonly List<string> _truths = [];
    private readonly List<int> _truthDelays = [];
    private readonly List<string?> _truthBefore = [];
    private readonly List<string?> _truthAfter = [];

    private readonly List<Guid> _retentionQueryIds = [];
    private readonly List<long> _retentionModelIds = [];
    private readonly List<int> _retentionDelays = [];
    private readonly List<DateTime> _retentionTimes = [];
    private readonly List<int> _retentionAccepted = [];
    private readonly List<int> _retentionRetained = [];

    private TelemetryBatch(Guid? userId, string machine)
    {
        _userId = userId;
        _machine = machine;
    }

    /// <summary>Events in this batch.</summary>
    public int EventCount { get; private set; }

    /// <summary>
    /// Maps the events to rows. Reference ids (models, languages, plugin versions, trigger types) come from
    /// <paramref name="references"/> (get-or-create, cached). Throws <see cref="NotSupportedException"/> for an
    /// event type it does not know: nothing is ever dropped silently.
    /// </summary>
    public static async Task<TelemetryBatch> CreateAsync(
        IEnumerable<TelemetryEvent> events, ReferenceData references, Guid? userId, string machine, CancellationToken cancellationToken)
    {
        var batch = new TelemetryBatch(userId, machine);
        foreach (var e in events)
        {
            await batch.AddAsync(e, references, cancellationToken);
            batch.EventCount++;
        }

        return batch;
    }

    /// <summary>The statements of this batch, in foreign-key order; tables without rows are left out.</summary>
    public NpgsqlBatch ToNpgsqlBatch(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        var batch = new NpgsqlBatch(connection, transaction);
        if (_sessions.Count > 0)
        {
            Add(batch, SessionSql, Uuids([.. _sessions.Keys]), Timestamps([.. _sessions.Values.Select(s => s.Start)]), Uuid(_userId),
                NullableUuids([.. _sessions.Values.Select(s => s.Installation)]));
        }

        if (_projects.Count > 0)
        {
            Add(batch, ProjectSql, Uuids([.. _projects.Keys]), Texts([.. _projects.Values]));
            if (_userId is not null)
            {
                Add(batch, ProjectUsersSql, Uuids([.. _projects.Keys]), Uuid(_userId));
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

        if (_contextIds.Count > 0)
        {
            Add(batch, ContextSql, Uuids(_contextIds), Texts(_prefixes), Texts(_suffixes), Texts(_fileNames), Texts(_selectedTexts));
        }

        if (_contextualIds.Count > 0)
        {
            Add(batch, ContextualSql, Uuids(_contextualIds), Bigints(_versionIds), Bigints(_triggerIds), Bigints(_languageIds),
                Texts(_filePaths), Integers(_caretLines), Integers(_documentLengths), Doubles(_relativePositions));
        }

        if (_behavioralIds.Count > 0)
        {
            Add(batch, BehavioralSql, Uuids(_behavioralIds), NullableBigints(_sinceShown), NullableBigints(_sinceAccepted), NullableDoubles(_typingSpeeds));
        }

        if (_queryIds.Count > 0)
        {
            Add(batch, MetaQuerySql, Uuids(_queryIds), NullableUuids(_queryContextualIds), NullableUuids(_queryBehavioralIds), NullableUuids(_queryContextIds),
                Uuids(_querySessionIds), Uuids(_queryProjectIds), Timestamps(_queryTimes), Integers(_servingTimes), Texts(_serverVersions), Uuid(_userId),
                Array(NpgsqlDbType.Jsonb, _multiFileIndexes.ToArray()));
            Add(batch, CompletionQuerySql, Uuids(_queryIds));
        }

        if (_generationQueryIds.Count > 0)
        {
            Add(batch, HadGenerationSql, Uuids(_generationQueryIds), Bigints(_generationModelIds), Texts(_completions), Integers(_generationTimes),
                Timestamps(_shownFlat), Integers(_shownStarts), Integers(_shownCounts), Booleans(_wasAccepted), Doubles(_confidences),
                Doubles(_logprobsFlat), Integers(_logprobStarts), Integers(_logprobCounts));
        }

        if (_sessionEndIds.Count > 0)
        {
            Add(batch, SessionEndSql, Uuids(_sessionEndIds), Timestamps(_sessionEndTimes));
        }

        if (_auditIds.Count > 0)
        {
            Add(batch, AuditSql, Uuids(_auditIds), Timestamps(_auditTimes), Uuid(_userId), Texts(_auditDetails));
        }

        if (_feedbackEventIds.Count > 0)
        {
            Add(batch, FeedbackSql, Uuids(_feedbackEventIds), Uuids(_feedbackQueryIds), Bigints(_feedbackModelIds), Texts(_feedbackKinds),
                Timestamps(_feedbackTimes), NullableIntegers(_feedbackLengths));
        }

        if (_truthQueryIds.Count > 0)
        {
            Add(batch, GroundTruthSql, Uuids(_truthQueryIds), Timestamps(_truthTimes), Texts(_truths), Integers(_truthDelays), Texts(_truthBefore), Texts(_truthAfter));
        }

        if (_retentionQueryIds.Count > 0)
        {
            Add(batch, RetentionSql, Uuids(_retentionQueryIds), Bigints(_retentionModelIds), Integers(_retentionDelays), Timestamps(_retentionTimes),
                Integers(_retentionAccepted), Integers(_retentionRetained));
        }

        return batch;
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
                // Without the truth (consent excluded the code text) the row would say nothing.
                if (e.Truth is not null)
                {
                    _truthQueryIds.Add(e.QueryId);
                    _truthTimes.Add(Utc(e.TruthTimestamp));
                    _truths.Add(e.Truth);
                    _truthDelays.Add(e.AfterSeconds);
                    _truthBefore.Add(e.ContextBefore);
                    _truthAfter.Add(e.ContextAfter);
                }

                break;
            case ConsentChangedEvent e:
                _auditIds.Add(e.EventId);
                _auditTimes.Add(Utc(e.OccurredAt));
                _auditDetails.Add(ConsentDetail(e));
                break;
            case RetentionEvent e:
                _retentionQueryIds.Add(e.QueryId);
                _retentionModelIds.Add(await references.GetModelIdAsync(e.Model, isInstructionTuned: false, cancellationToken));
                _retentionDelays.Add(e.AfterSeconds);
                _retentionTimes.Add(Utc(e.OccurredAt));
                _retentionAccepted.Add(e.AcceptedChars);
                _retentionRetained.Add(e.RetainedChars);
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
            _contextIds.Add(context.ContextId);
            _prefixes.Add(context.Prefix);
            _suffixes.Add(context.Suffix);
            _fileNames.Add(context.FileName);
            _selectedTexts.Add(context.SelectedText);
        }

        if (e.Contextual is { } contextual)
        {
            _contextualIds.Add(contextual.ContextualTelemetryId);
            _versionIds.Add(await references.GetPluginVersionIdAsync(contextual.PluginVersion, contextual.Ide, description: null, cancellationToken));
            _triggerIds.Add(await references.GetTriggerTypeIdAsync(TriggerName(contextual.Trigger), cancellationToken));
            _languageIds.Add(await references.GetLanguageIdAsync(contextual.Language, cancellationToken));
            _filePaths.Add(contextual.FilePath);
            _caretLines.Add(contextual.CaretLine);
            _documentLengths.Add(contextual.DocumentCharLength);
            _relativePositions.Add(contextual.RelativeDocumentPosition);
        }

        if (e.Behavioral is { } behavioral)
        {
            _behavioralIds.Add(behavioral.BehavioralTelemetryId);
            _sinceShown.Add(behavioral.TimeSinceLastShownMs);
            _sinceAccepted.Add(behavioral.TimeSinceLastAcceptedMs);
            _typingSpeeds.Add(behavioral.TypingSpeed);
        }

        _queryIds.Add(e.QueryId);
        _queryContextualIds.Add(e.Contextual?.ContextualTelemetryId);
        _queryBehavioralIds.Add(e.Behavioral?.BehavioralTelemetryId);
        _queryContextIds.Add(e.Context?.ContextId);
        _querySessionIds.Add(e.SessionId);
        _queryProjectIds.Add(projectId);
        _queryTimes.Add(at);
        _servingTimes.Add(e.TotalServingTimeMs);
        _serverVersions.Add(e.ServerVersion);
        _multiFileIndexes.Add(MultiFileContextRows.IndexesJson(e.MultiFile));
        _multiFile.Add(projectId, e.MultiFile);

        foreach (var generation in e.Generations)
        {
            _generationQueryIds.Add(e.QueryId);
            _generationModelIds.Add(await references.GetModelIdAsync(generation.Model, isInstructionTuned: false, cancellationToken));
            _completions.Add(generation.Completion);
            _generationTimes.Add(generation.GenerationTimeMs);
            var shown = generation.ShownAt.Select(Utc).Distinct().Order().ToList();
            _shownStarts.Add(_shownFlat.Count + 1);   // PostgreSQL arrays are 1-based
            _shownCounts.Add(shown.Count);
            _shownFlat.AddRange(shown);
            _wasAccepted.Add(generation.WasAccepted);
            _confidences.Add(generation.Confidence);
            _logprobStarts.Add(_logprobsFlat.Count + 1);
            _logprobCounts.Add(generation.Logprobs.Count);
            _logprobsFlat.AddRange(generation.Logprobs);
        }
    }

    private async Task AddFeedbackAsync(
        TelemetryEvent e, Guid queryId, string model, string kind, int? acceptedLength, ReferenceData references, CancellationToken cancellationToken)
    {
        _feedbackEventIds.Add(e.EventId);
        _feedbackQueryIds.Add(queryId);
        _feedbackModelIds.Add(await references.GetModelIdAsync(model, isInstructionTuned: false, cancellationToken));
        _feedbackKinds.Add(kind);
        _feedbackTimes.Add(Utc(e.OccurredAt));
        _feedbackLengths.Add(acceptedLength);
    }

    private Guid AddProject(string? folder)
    {
        var id = ProjectIdentity.IdFor(_machine, folder);
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

    private static void Add(NpgsqlBatch batch, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        batch.BatchCommands.Add(command);
    }

    private static NpgsqlParameter Uuid(Guid? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Uuid, Value = value is { } v ? v : DBNull.Value };

    private static NpgsqlParameter<Guid[]> Uuids(IEnumerable<Guid> values) => Array(NpgsqlDbType.Uuid, values.ToArray());

    private static NpgsqlParameter<Guid?[]> NullableUuids(List<Guid?> values) => Array(NpgsqlDbType.Uuid, values.ToArray());

    private static NpgsqlParameter<string?[]> Texts(IEnumerable<string?> values) => Array(NpgsqlDbType.Text, values.ToArray());

    private static NpgsqlParameter<long[]> Bigints(List<long> values) => Array(NpgsqlDbType.Bigint, values.ToArray());

    private static NpgsqlParameter<long?[]> NullableBigints(List<long?> values) => Array(NpgsqlDbType.Bigint, values.ToArray());

    private static NpgsqlParameter<int[]> Integers(List<int> values) => Array(NpgsqlDbType.Integer, values.ToArray());

    private static NpgsqlParameter<int?[]> NullableIntegers(List<int?> values) => Array(NpgsqlDbType.Integer, values.ToArray());

    private static NpgsqlParameter<double[]> Doubles(List<double> values) => Array(NpgsqlDbType.Double, values.ToArray());

    private static NpgsqlParameter<double?[]> NullableDoubles(List<double?> values) => Array(NpgsqlDbType.Double, values.ToArray());

    private static NpgsqlParameter<bool[]> Booleans(List<bool> values) => Array(NpgsqlDbType.Boolean, values.ToArray());

    private static NpgsqlParameter<DateTime[]> Timestamps(IEnumerable<DateTime> values) => Array(NpgsqlDbType.TimestampTz, values.ToArray());

    private static NpgsqlParameter<T[]> Array<T>(NpgsqlDbType elementType, T[] values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | elementType, TypedValue = values };
}
