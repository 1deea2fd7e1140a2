using Code4me.Lsp.Core.Telemetry;
using Npgsql;
using static Code4me.Lsp.Storage.Postgres.Telemetry.BatchParameters;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>
/// What a batch learns after a query was answered, as rows that refer to the query and its generations: the editor's
/// reports (<c>record_generation_feedback</c>, which also sets <c>shown_at</c> and <c>was_accepted</c>), the ground
/// truth and the retention checks. Each is one statement over column arrays, idempotent, written after the per-event
/// tables of the same batch.
/// </summary>
internal sealed class FollowUpRows
{
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

    /// <summary>One report of the editor on one model's generation (<paramref name="kind"/> as the schema spells it).</summary>
    public void AddFeedback(TelemetryEvent e, Guid queryId, long modelId, string kind, int? acceptedLength)
    {
        _feedbackEventIds.Add(e.EventId);
        _feedbackQueryIds.Add(queryId);
        _feedbackModelIds.Add(modelId);
        _feedbackKinds.Add(kind);
        _feedbackTimes.Add(e.OccurredAt.UtcDateTime);
        _feedbackLengths.Add(acceptedLength);
    }

    /// <summary>A ground truth; without its text (consent excluded the code) the row would say nothing and is left out.</summary>
    public void AddGroundTruth(GroundTruthEvent e)
    {
        if (e.Truth is null)
        {
            return;
        }

        _truthQueryIds.Add(e.QueryId);
        _truthTimes.Add(e.TruthTimestamp.UtcDateTime);
        _truths.Add(e.Truth);
        _truthDelays.Add(e.AfterSeconds);
        _truthBefore.Add(e.ContextBefore);
        _truthAfter.Add(e.ContextAfter);
    }

    public void AddRetention(RetentionEvent e, long modelId)
    {
        _retentionQueryIds.Add(e.QueryId);
        _retentionModelIds.Add(modelId);
        _retentionDelays.Add(e.AfterSeconds);
        _retentionTimes.Add(e.OccurredAt.UtcDateTime);
        _retentionAccepted.Add(e.AcceptedChars);
        _retentionRetained.Add(e.RetainedChars);
    }

    /// <summary>Feedback, ground truth, retention, in that order; kinds without rows are left out.</summary>
    public void AddTo(NpgsqlBatch batch)
    {
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
    }
}
