using Npgsql;

namespace Code4me.Lsp.Storage.Postgres.Analysis;

/// <summary>
/// Reads the analysis views for the report from one <see cref="AnalysisSnapshot"/> (every view computed once into a temporary
/// table, in one repeatable-read transaction, the filter as the transaction's <c>analysis.*</c> settings); every aggregation
/// is done by PostgreSQL. Works as the database owner or as a member of <c>code4me_analyst</c>.
/// </summary>
internal sealed class AnalysisRepository(NpgsqlDataSource dataSource)
{
    /// <summary>On a command's database (<see cref="StorageDatabase"/>).</summary>
    public AnalysisRepository(StorageDatabase database)
        : this(database.DataSource)
    {
    }

    // Columns in the order of each record's constructor, cast to its types: each record reads its row by position.
    private static readonly string s_overviewSql = Select("overview",
        "queries, participants, shown, accepted, acceptance_rate, acceptance_ci_low, acceptance_ci_high, median_generation_time_ms, " +
        "p95_generation_time_ms, first_query_at, last_query_at");

    private static readonly string s_dailyUsageSql = Select("daily_usage",
        "day::timestamp, queries, participants, shown, accepted, acceptance_rate, acceptance_ci_low, acceptance_ci_high, median_generation_time_ms",
        "day");

    private static readonly string s_modelsSql = Select("model_performance",
        "model, generations, shown, accepted, acceptance_rate, acceptance_ci_low, acceptance_ci_high, mean_generation_time_ms, " +
        "median_generation_time_ms, p95_generation_time_ms, mean_confidence, with_ground_truth, exact_matches, exact_match_rate",
        "model");

    private static readonly string s_comparisonSql = Select("model_comparison",
        "model, queries, shown_first, with_ground_truth, exact_matches, right_but_not_shown, shown_but_wrong", "model");

    private static readonly string s_calibrationBinsSql = Select("calibration_bins",
        "model, bin, confidence_low::float8, confidence_high::float8, shown, accepted, mean_confidence, acceptance_rate", "model, bin");

    private static readonly string s_calibrationSql = Select("calibration_summary",
        "model, shown::bigint, expected_calibration_error, brier_score", "model");

    private static readonly string s_retentionSql = Select("retention_survival",
        "model, after_seconds, measured, survived, survival_rate, accepted_chars, retained_chars, retained_share", "model, after_seconds");

    private static readonly string s_completenessSql = Select("data_completeness",
        "queries, shown, shown_share, shown_with_outcome, outcome_share, with_ground_truth, ground_truth_share, with_context, " +
        "with_contextual_telemetry, with_behavioral_telemetry");

    private static readonly string s_chatSql = Select("chat_summary",
        "chats, messages, participants, mistakes, mistake_rate, not_completed, prompt_tokens, completion_tokens, cost, median_generation_time_ms");

    private static readonly string s_abArmsSql = Select("ab_arms",
        "arm, participants, shown, accepted, acceptance_rate, acceptance_ci_low, acceptance_ci_high, baseline, difference, difference_ci_low, " +
        "difference_ci_high, uplift, arm_source", "arm");

    private static readonly string s_generationTimesSql = Select("generation_time_histogram",
        "model, bin, low_ms, high_ms, answers, shown, share", "model, bin");

    private static readonly string s_typingSpeedSql = Select("typing_speed_histogram",
        "low_chars_per_second, high_chars_per_second, queries, share, shown, accepted, acceptance_rate", "low_chars_per_second");

    private static readonly string s_rejectionsSql = Select("rejection_outcomes",
        "model, rejected, with_ground_truth, written_anyway, same_start, nothing_written, other, written_anyway_share", "model");

    private static readonly string s_hoursSql = Select("hourly_usage",
        "hour_of_day, queries, participants, shown, accepted, acceptance_rate", "hour_of_day");

    private static readonly string s_languagesSql = Select("language_usage",
        "language, queries, participants, shown, accepted, acceptance_rate, acceptance_ci_low, acceptance_ci_high", "queries DESC, language");

    private static readonly string s_timesSinceLastSql = Select("time_since_last_histogram",
        "measure, bin, low_seconds, high_seconds, queries, share, shown, accepted, acceptance_rate", "measure DESC, bin");

    /// <summary>
    /// Every view the report shows, under <paramref name="filter"/>; <paramref name="progress"/> hears each view's name and the
    /// seconds since the start before it is computed.
    /// </summary>
    public async Task<StudyResults> ReadAsync(AnalysisFilter filter, Action<string, double> progress, CancellationToken cancellationToken)
    {
        await using var snapshot = await AnalysisSnapshot.TakeAsync(dataSource, filter, progress, cancellationToken);

        Task<List<T>> ReadAsync<T>(string sql, Func<NpgsqlDataReader, T> read) =>
            snapshot.Connection.QueryAsync(sql, read, snapshot.Transaction, cancellationToken);

        var results = new StudyResults(
            filter,
            (await ReadAsync(s_overviewSql, StudyResults.OverviewRow.Read)).Single(),
            await ReadAsync(s_dailyUsageSql, StudyResults.DailyUsageRow.Read),
            await ReadAsync(s_modelsSql, StudyResults.ModelPerformanceRow.Read),
            await ReadAsync(s_comparisonSql, StudyResults.ModelComparisonRow.Read),
            await ReadAsync(s_calibrationBinsSql, StudyResults.CalibrationBinRow.Read),
            await ReadAsync(s_calibrationSql, StudyResults.CalibrationSummaryRow.Read),
            await ReadAsync(s_retentionSql, StudyResults.RetentionSurvivalRow.Read),
            (await ReadAsync(s_completenessSql, StudyResults.DataCompletenessRow.Read)).Single(),
            (await ReadAsync(s_chatSql, StudyResults.ChatSummaryRow.Read)).Single(),
            await ReadAsync(s_abArmsSql, StudyResults.AbArmRow.Read),
            await ReadAsync(s_generationTimesSql, StudyResults.GenerationTimeBinRow.Read),
            await ReadAsync(s_typingSpeedSql, StudyResults.TypingSpeedBinRow.Read),
            await ReadAsync(s_rejectionsSql, StudyResults.RejectionOutcomeRow.Read),
            await ReadAsync(s_hoursSql, StudyResults.HourlyUsageRow.Read),
            await ReadAsync(s_languagesSql, StudyResults.LanguageUsageRow.Read),
            await ReadAsync(s_timesSinceLastSql, StudyResults.TimeSinceLastBinRow.Read));
        await snapshot.CommitAsync(cancellationToken);
        return results;
    }

    /// <summary>Brings the kept fact rows up to date (<see cref="AnalysisSnapshot.RefreshKeptFactsAsync"/>): whether it rebuilt them, and how many queries it computed.</summary>
    public async Task<(bool Rebuilt, long Queries)> RefreshKeptFactsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await AnalysisSnapshot.RefreshKeptFactsAsync(connection, cancellationToken);
    }

    /// <summary><c>SELECT a_b AS "AB", c::t AS "C" … FROM pg_temp.view [ORDER BY …]</c>: snake_case columns named as the record's parameters.</summary>
    private static string Select(string view, string columns, string? orderBy = null)
    {
        var list = columns.Split(',', StringSplitOptions.TrimEntries).Select(column =>
        {
            var name = column.Split("::")[0];
            var pascal = string.Concat(name.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
            return $"{column} AS \"{pascal}\"";
        });
        return $"SELECT {string.Join(", ", list)} FROM {AnalysisSnapshot.Relation(view)}" + (orderBy is null ? "" : $" ORDER BY {orderBy}");
    }
}
