using System.Data;
using System.Globalization;
using Dapper;
using Npgsql;

namespace Code4me.Lsp.Storage.Postgres.Analysis;

/// <summary>
/// Reads the analysis views (migration 0010) for the report: one read-only, repeatable-read transaction (one snapshot for
/// every view), the filter set as the transaction's <c>analysis.*</c> settings, every aggregation done by PostgreSQL.
/// Works as the database owner or as a member of <c>code4me_analyst</c>.
/// </summary>
internal sealed class AnalysisRepository(NpgsqlDataSource dataSource)
{
    /// <summary>On a command's database (<see cref="StorageDatabase"/>).</summary>
    public AnalysisRepository(StorageDatabase database)
        : this(database.DataSource)
    {
    }

    private const string FilterSql = """
        SELECT set_config('analysis.since', @Since, true), set_config('analysis.until', @Until, true),
               set_config('analysis.model', @Model, true), set_config('analysis.language', @Language, true)
        """;

    // Columns in the order of each record's constructor, cast to its types; Dapper matches them by name and type.
    private static readonly string s_overviewSql = Select("analysis.overview",
        "queries, participants, shown, accepted, acceptance_rate, acceptance_ci_low, acceptance_ci_high, median_generation_time_ms, " +
        "p95_generation_time_ms, first_query_at, last_query_at");

    private static readonly string s_dailyUsageSql = Select("analysis.daily_usage",
        "day::timestamp, queries, participants, shown, accepted, acceptance_rate, acceptance_ci_low, acceptance_ci_high, median_generation_time_ms",
        "day");

    private static readonly string s_modelsSql = Select("analysis.model_performance",
        "model, generations, shown, accepted, acceptance_rate, acceptance_ci_low, acceptance_ci_high, mean_generation_time_ms, " +
        "median_generation_time_ms, p95_generation_time_ms, mean_confidence, with_ground_truth, exact_matches, exact_match_rate",
        "model");

    private static readonly string s_comparisonSql = Select("analysis.model_comparison",
        "model, queries, shown_first, with_ground_truth, exact_matches, right_but_not_shown, shown_but_wrong", "model");

    private static readonly string s_calibrationBinsSql = Select("analysis.calibration_bins",
        "model, bin, confidence_low::float8, confidence_high::float8, shown, accepted, mean_confidence, acceptance_rate", "model, bin");

    private static readonly string s_calibrationSql = Select("analysis.calibration_summary",
        "model, shown::bigint, expected_calibration_error, brier_score", "model");

    private static readonly string s_retentionSql = Select("analysis.retention_survival",
        "model, after_seconds, measured, survived, survival_rate, accepted_chars, retained_chars, retained_share", "model, after_seconds");

    private static readonly string s_completenessSql = Select("analysis.data_completeness",
        "queries, shown, shown_share, shown_with_outcome, outcome_share, with_ground_truth, ground_truth_share, with_context, " +
        "with_contextual_telemetry, with_behavioral_telemetry");

    private static readonly string s_chatSql = Select("analysis.chat_summary",
        "chats, messages, participants, mistakes, mistake_rate, not_completed, prompt_tokens, completion_tokens, cost, median_generation_time_ms");

    /// <summary>Every view the report shows, under <paramref name="filter"/>; <paramref name="progress"/> is told each view's name before it is read.</summary>
    public async Task<StudyResults> ReadAsync(AnalysisFilter filter, Action<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(progress);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SET TRANSACTION READ ONLY", transaction: transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(FilterSql, new
        {
            Since = Instant(filter.Since),
            Until = Instant(filter.Until),
            Model = filter.Model ?? "",
            Language = filter.Language ?? "",
        }, transaction, cancellationToken: cancellationToken));

        async Task<List<T>> ReadViewAsync<T>(string view, string sql)
        {
            progress(view);
            return [.. await connection.QueryAsync<T>(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken))];
        }

        var results = new StudyResults(
            filter,
            (await ReadViewAsync<StudyResults.OverviewRow>("analysis.overview", s_overviewSql)).Single(),
            await ReadViewAsync<StudyResults.DailyUsageRow>("analysis.daily_usage", s_dailyUsageSql),
            await ReadViewAsync<StudyResults.ModelPerformanceRow>("analysis.model_performance", s_modelsSql),
            await ReadViewAsync<StudyResults.ModelComparisonRow>("analysis.model_comparison", s_comparisonSql),
            await ReadViewAsync<StudyResults.CalibrationBinRow>("analysis.calibration_bins", s_calibrationBinsSql),
            await ReadViewAsync<StudyResults.CalibrationSummaryRow>("analysis.calibration_summary", s_calibrationSql),
            await ReadViewAsync<StudyResults.RetentionSurvivalRow>("analysis.retention_survival", s_retentionSql),
            (await ReadViewAsync<StudyResults.DataCompletenessRow>("analysis.data_completeness", s_completenessSql)).Single(),
            (await ReadViewAsync<StudyResults.ChatSummaryRow>("analysis.chat_summary", s_chatSql)).Single());
        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    /// <summary><c>SELECT a_b AS "AB", c::t AS "C" … FROM view [ORDER BY …]</c>: snake_case columns named as the record's parameters.</summary>
    private static string Select(string view, string columns, string? orderBy = null)
    {
        var list = columns.Split(',', StringSplitOptions.TrimEntries).Select(column =>
        {
            var name = column.Split("::")[0];
            var pascal = string.Concat(name.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
            return $"{column} AS \"{pascal}\"";
        });
        return $"SELECT {string.Join(", ", list)} FROM {view}" + (orderBy is null ? "" : $" ORDER BY {orderBy}");
    }

    private static string Instant(DateTimeOffset? value) => value?.ToString("O", CultureInfo.InvariantCulture) ?? "";
}
