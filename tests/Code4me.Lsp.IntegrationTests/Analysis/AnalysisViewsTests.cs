using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage.Postgres.Analysis;
using Dapper;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Analysis;

/// <summary>
/// The analysis views (migrations 0010, 0012) over a study written through the real writer: every headline number equals an
/// independent query over the base tables (or, for calibration, a computation here), read as code4me_analyst.
/// </summary>
public sealed class AnalysisViewsTests(StudyDatabaseFixture fixture) : IClassFixture<StudyDatabaseFixture>
{
    private const double Tolerance = 1e-9;

    [Fact]
    public async Task Overview_SeededStudy_EqualsIndependentSqlOverTheBaseTables()
    {
        var view = (await fixture.AnalystQueryAsync<(long Queries, long Participants, long Shown, long Accepted, double Rate, double Low, double High, double Median)>(
            "SELECT queries, participants, shown, accepted, acceptance_rate, acceptance_ci_low, acceptance_ci_high, median_generation_time_ms FROM analysis.overview")).Single();
        Assert.Equal(await BaseTables.OverviewAsync(fixture.Database), (view.Queries, view.Participants, view.Shown, view.Accepted));
        Assert.Equal((StudySeed.Queries, 2), (view.Queries, view.Participants));
        Assert.Equal((double)view.Accepted / view.Shown, view.Rate, Tolerance);
        var (low, high) = BaseTables.Wilson(view.Accepted, view.Shown);
        Assert.Equal(low, view.Low, 1e-6);
        Assert.Equal(high, view.High, 1e-6);

        // The shown answer's generation time: the generation with the earliest display time.
        var shownTimes = await fixture.Database.QueryAsync<double?>("""
            SELECT (SELECT g.generation_time FROM had_generation g WHERE g.meta_query_id = cq.meta_query_id AND g.shown_at <> '{}'
                    ORDER BY (SELECT min(t) FROM unnest(g.shown_at) t) LIMIT 1)
            FROM completion_query cq
            """);
        Assert.Equal(Median([.. shownTimes.OfType<double>()]), view.Median, Tolerance);
    }

    [Fact]
    public async Task DailyUsage_SeededStudy_CountsEachUtcDay()
    {
        var view = await fixture.AnalystQueryAsync<(DateTime Day, long Queries, long Shown, long Accepted)>(
            "SELECT day, queries, shown, accepted FROM analysis.daily_usage ORDER BY day");
        var expected = await fixture.Database.QueryAsync<(DateTime, long, long, long)>($"""
            SELECT date_trunc('day', "timestamp" AT TIME ZONE 'UTC'), count(*), count(*) FILTER (WHERE shown), count(*) FILTER (WHERE accepted)
            FROM ({BaseTables.QueriesSql}) q GROUP BY 1 ORDER BY 1
            """);

        Assert.Equal(expected, view);
        Assert.Equal(2, view.Count);
    }

    [Fact]
    public async Task ModelPerformance_TwoModels_EqualsIndependentSqlPerModel()
    {
        var view = await fixture.AnalystQueryAsync<(string Model, long Generations, long Shown, long Accepted, double MeanTime, long WithTruth, long Exact)>(
            "SELECT model, generations, shown, accepted, mean_generation_time_ms, with_ground_truth, exact_matches FROM analysis.model_performance ORDER BY model");
        var expected = await BaseTables.ModelsAsync(fixture.Database);

        Assert.Equal(expected, view);
        Assert.Equal([StudySeed.ModelA, StudySeed.ModelB], view.Select(v => v.Model));
        Assert.All(view, v => Assert.InRange(v.Exact, 1, v.WithTruth - 1));   // the seed has matches and misses for both
    }

    [Fact]
    public async Task ModelComparison_QueriesSeveralModelsAnswered_ShownFirstAndRightAnswersEqualIndependentSql()
    {
        var view = await fixture.AnalystQueryAsync<(string, long, long, long, long, long, long)>(
            "SELECT model, queries, shown_first, with_ground_truth, exact_matches, right_but_not_shown, shown_but_wrong FROM analysis.model_comparison ORDER BY model");

        Assert.Equal(await BaseTables.ComparisonAsync(fixture.Database), view);
        Assert.True(view.Sum(v => v.Item6) > 0, "the seed has right answers that were not shown");
    }

    [Fact]
    public async Task Calibration_ShownAnswers_EceAndBrierEqualTheirDefinitions()
    {
        var expected = await BaseTables.CalibrationAsync(fixture.Database);
        var summary = await fixture.AnalystQueryAsync<(string Model, long Shown, double Ece, double Brier)>(
            "SELECT model, shown, expected_calibration_error, brier_score FROM analysis.calibration_summary ORDER BY model");
        var bins = await fixture.AnalystQueryAsync<(string Model, int Bin, long Shown, long Accepted)>(
            "SELECT model, bin, shown, accepted FROM analysis.calibration_bins ORDER BY model, bin");

        Assert.Equal(expected.Select(e => (e.Model, e.Shown)), summary.Select(s => (s.Model, s.Shown)));
        Assert.Equal(2, summary.Count);
        foreach (var (e, s) in expected.Zip(summary))
        {
            Assert.Equal(e.Ece, s.Ece, Tolerance);
            Assert.Equal(e.Brier, s.Brier, Tolerance);
            Assert.Equal(e.Bins, bins.Where(b => b.Model == s.Model).Select(b => (b.Bin, b.Shown, b.Accepted)));
        }
    }

    [Fact]
    public async Task RetentionSurvival_AcceptedCode_EqualsTheRetentionRows()
    {
        var view = await fixture.AnalystQueryAsync<(string Model, int After, long Measured, long Survived, long Accepted, long Retained)>(
            "SELECT model, after_seconds, measured, survived, accepted_chars, retained_chars FROM analysis.retention_survival ORDER BY model, after_seconds");
        var expected = await fixture.Database.QueryAsync<(string, int, long, long, long, long)>("""
            SELECT m.model_name, r.after_seconds, count(*), count(*) FILTER (WHERE r.retained_chars::float8 / r.accepted_chars >= 0.5),
                   sum(r.accepted_chars), sum(r.retained_chars)
            FROM completion_retention r JOIN model_name m USING (model_id) GROUP BY 1, 2 ORDER BY 1, 2
            """);

        Assert.Equal(expected, view);
        Assert.Equal([15, 30], view.Select(v => v.After));
        Assert.True(view[1].Survived < view[1].Measured);   // some accepted code was mostly rewritten by 30 s
    }

    [Fact]
    public async Task DataCompleteness_GapsInTheSeed_AreCounted()
    {
        var view = (await fixture.AnalystQueryAsync<(long Queries, long Shown, long WithOutcome, long WithTruth, long WithContext, double OutcomeShare)>(
            "SELECT queries, shown, shown_with_outcome, with_ground_truth, with_context, outcome_share FROM analysis.data_completeness")).Single();
        var expected = await BaseTables.CompletenessAsync(fixture.Database);

        Assert.Equal(expected, (view.Queries, view.Shown, view.WithOutcome, view.WithTruth, view.WithContext));
        Assert.InRange(view.OutcomeShare, 0.1, 0.99);   // shown answers without an outcome exist in the seed
        Assert.InRange(view.WithTruth, 1, view.Queries - 1);
    }

    [Fact]
    public async Task ChatSummary_OneChat_EqualsTheChatTables()
    {
        var view = (await fixture.AnalystQueryAsync<(long Chats, long Messages, long Mistakes, long NotCompleted, long Prompt, long Completion, decimal Cost)>(
            "SELECT chats, messages, mistakes, not_completed, prompt_tokens, completion_tokens, cost FROM analysis.chat_summary")).Single();
        var expected = await BaseTables.ChatAsync(fixture.Database);

        Assert.Equal(expected, view);
        Assert.Equal((1L, 3L, 1L, 1L), (view.Chats, view.Messages, view.Mistakes, view.NotCompleted));
    }

    [Fact]
    public async Task Filters_LanguageModelAndTime_RestrictEveryView()
    {
        var lua = (await BaseTables.OverviewAsync(fixture.Database, "lua")).Queries;
        Assert.Equal(lua, (await fixture.AnalystQueryAsync<long>(
            "SELECT queries FROM analysis.overview", new Dictionary<string, string> { ["language"] = "lua" })).Single());

        var models = await fixture.AnalystQueryAsync<string>(
            "SELECT model FROM analysis.model_performance UNION ALL SELECT model FROM analysis.calibration_summary",
            new Dictionary<string, string> { ["model"] = StudySeed.ModelB });
        Assert.All(models, m => Assert.Equal(StudySeed.ModelB, m));
        Assert.Equal(2, models.Count);
        Assert.Equal(0, (await fixture.AnalystQueryAsync<long>(
            "SELECT messages FROM analysis.chat_summary", new Dictionary<string, string> { ["model"] = StudySeed.ModelB })).Single());

        var day2 = StudySeed.Day1.AddDays(1).ToString("O");
        var firstDay = await fixture.AnalystQueryAsync<DateTime>("SELECT day FROM analysis.daily_usage", new Dictionary<string, string> { ["until"] = day2 });
        Assert.Equal([StudySeed.Day1.UtcDateTime.Date], firstDay);
        Assert.Equal(StudySeed.Queries / 2, (await fixture.AnalystQueryAsync<long>(
            "SELECT queries FROM analysis.overview", new Dictionary<string, string> { ["since"] = day2 })).Single());
    }

    [Theory]
    [InlineData("SELECT analysis.study_id()")]
    [InlineData("SELECT extract(epoch FROM since)::bigint FROM analysis.filter")]
    [InlineData("SELECT count(*) FROM analysis.completion_queries")]   // a view that reads a row (the seed has some)
    public async Task UnknownStudy_WhereTheFilterIsEvaluated_Raises22023(string sql)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => fixture.AnalystQueryAsync<long?>(sql, new Dictionary<string, string> { ["study"] = "no-such-study" }));

        Assert.Equal(PostgresErrorCodes.InvalidParameterValue, error.SqlState);
        Assert.Contains("no study is named 'no-such-study'", error.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AbArms_ShownModelIsTheArm_RatesDifferenceAndUpliftEqualIndependentSql()
    {
        var view = await fixture.AnalystQueryAsync<(string Arm, long Participants, long Shown, long Accepted, double Rate, double Low, double High, double? Difference, double? DifferenceLow, double? DifferenceHigh, double? Uplift)>(
            "SELECT arm, participants, shown, accepted, acceptance_rate, acceptance_ci_low, acceptance_ci_high, difference, difference_ci_low, difference_ci_high, uplift FROM analysis.ab_arms ORDER BY arm");
        var expected = await BaseTables.AbArmsAsync(fixture.Database);

        Assert.Equal(expected.Select(e => (e.Arm, e.Participants, e.Shown, e.Accepted)), view.Select(v => (v.Arm, v.Participants, v.Shown, v.Accepted)));
        Assert.Equal([StudySeed.ModelA, StudySeed.ModelB], view.Select(v => v.Arm));   // B's answer is shown first at some queries
        foreach (var (e, v) in expected.Zip(view))
        {
            Assert.Equal(e.Rate, v.Rate, Tolerance);
            Assert.Equal(e.Low, v.Low, 1e-6);
            Assert.Equal(e.High, v.High, 1e-6);
            Assert.Equal(e.Difference.HasValue, v.Difference.HasValue);
            Assert.Equal(e.Difference ?? 0, v.Difference ?? 0, Tolerance);
            Assert.Equal(e.DifferenceLow ?? 0, v.DifferenceLow ?? 0, 1e-6);
            Assert.Equal(e.DifferenceHigh ?? 0, v.DifferenceHigh ?? 0, 1e-6);
            Assert.Equal(e.Uplift ?? 0, v.Uplift ?? 0, Tolerance);
        }
    }

    [Fact]
    public async Task Histograms_GenerationTimeAndTypingSpeed_CountEveryAnswerAndQueryOnce()
    {
        var latency = await fixture.AnalystQueryAsync<(string Model, int Bin, long Answers)>(
            "SELECT model, bin, answers FROM analysis.generation_time_histogram ORDER BY model, bin");
        var typing = await fixture.AnalystQueryAsync<(int Low, long Queries)>(
            "SELECT low_chars_per_second, queries FROM analysis.typing_speed_histogram ORDER BY 1");

        Assert.Equal(await BaseTables.GenerationTimesAsync(fixture.Database), latency);
        Assert.True(latency.Select(l => l.Bin).Distinct().Count() >= 3, "the seed's generation times span several bins");
        Assert.Equal(await BaseTables.TypingSpeedsAsync(fixture.Database), typing);
        Assert.Equal(StudySeed.Queries, typing.Sum(t => t.Queries));
        Assert.True(typing.Count >= 5, "the seed's typing speeds span several bins");
    }

    [Fact]
    public async Task TimeSinceLast_ShownAndAccepted_EqualsIndependentCountsPerBin()
    {
        var view = await fixture.AnalystQueryAsync<(string Measure, int Bin, long Queries)>(
            "SELECT measure, bin, queries FROM analysis.time_since_last_histogram ORDER BY measure, bin");

        Assert.Equal(await BaseTables.TimesSinceLastAsync(fixture.Database), view);
        Assert.Contains(view, b => b.Measure == "shown" && b.Bin == 0);   // the first query: never shown before
        Assert.True(view.Count(b => b.Measure == "shown") >= 5, "the seed's times since the last shown span several bins");
        Assert.All(view.GroupBy(b => b.Measure), m => Assert.Equal(StudySeed.Queries, m.Sum(b => b.Queries)));
    }

    [Fact]
    public async Task HourlyAndLanguageUsage_SeededStudy_EqualIndependentSql()
    {
        var hours = await fixture.AnalystQueryAsync<(int Hour, long Queries, long Shown, long Accepted)>(
            "SELECT hour_of_day, queries, shown, accepted FROM analysis.hourly_usage ORDER BY 1");
        var languages = await fixture.AnalystQueryAsync<(string Language, long Queries, long Shown, long Accepted, double? Rate)>(
            "SELECT language, queries, shown, accepted, acceptance_rate FROM analysis.language_usage ORDER BY 1");

        Assert.Equal(Enumerable.Range(0, 24), hours.Select(h => h.Hour));
        Assert.Equal(await BaseTables.HoursAsync(fixture.Database), [.. hours.Where(h => h.Queries > 0)]);
        Assert.Equal(StudySeed.Queries, hours.Sum(h => h.Queries));
        Assert.Equal(await BaseTables.LanguagesAsync(fixture.Database), [.. languages.Select(l => (l.Language, l.Queries, l.Shown, l.Accepted))]);
        Assert.Equal(["lua", "python"], languages.Select(l => l.Language));
        Assert.All(languages, l => Assert.Equal((double)l.Accepted / l.Shown, l.Rate!.Value, Tolerance));
    }

    [Fact]
    public async Task RejectionOutcomes_WhatWasWrittenAfterARejection_EqualsIndependentSql()
    {
        var view = await fixture.AnalystQueryAsync<(string, long, long, long, long, long, long)>(
            "SELECT model, rejected, with_ground_truth, written_anyway, same_start, nothing_written, other FROM analysis.rejection_outcomes ORDER BY model");
        var expected = await BaseTables.RejectionsAsync(fixture.Database);

        Assert.Equal(expected, view);
        var a = view.Single(v => v.Item1 == StudySeed.ModelA);
        Assert.All([a.Item4, a.Item5, a.Item6, a.Item7], n => Assert.True(n > 0, "the seed has every outcome after a rejection of model A"));
    }

    [Fact]
    public async Task Filters_Participant_KeepsOnlyThatInstallation()
    {
        var installations = await fixture.Database.QueryAsync<Guid>("SELECT DISTINCT installation_id FROM session WHERE installation_id IS NOT NULL ORDER BY 1");
        var filter = new Dictionary<string, string> { ["participant"] = installations[0].ToString() };

        var overview = (await fixture.AnalystQueryAsync<(long Queries, long Participants)>("SELECT queries, participants FROM analysis.overview", filter)).Single();
        var expected = await fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM ({BaseTables.QueriesSql}) q WHERE installation_id = @Installation", new { Installation = installations[0] });

        Assert.Equal((expected, 1L), overview);
        Assert.Equal(StudySeed.Queries / 2, overview.Queries);
    }

    [Theory]
    [InlineData("python")]   // filtered: the views (in the same transaction, under the same settings) and the tables must agree on the filter too
    [InlineData(null)]       // unfiltered: the fact views are temporary views over the kept rows
    public async Task Snapshot_EveryViewComputedOnceIntoTemporaryTables_EqualsTheViewsRowForRow(string? language)
    {
        var filter = new AnalysisFilter(Language: language);
        await using var snapshot = await AnalysisSnapshot.TakeAsync(fixture.Analyst, filter, (_, _) => { }, TimeoutToken.Create());

        Assert.Equal(21, snapshot.Views.Count);
        foreach (var view in snapshot.Views)
        {
            // Rows in one and not the other, either way, counting duplicates; floating-point columns to 9 decimals (a sum
            // over rows in another order may differ in its last bits).
            var columns = string.Join(", ", await snapshot.Connection.QueryAsync<string>(new CommandDefinition("""
                SELECT CASE WHEN a.atttypid = 'float8'::regtype THEN format('round(%I::numeric, 9)', a.attname) ELSE quote_ident(a.attname) END
                FROM pg_attribute a WHERE a.attrelid = ('analysis.' || quote_ident(@View))::regclass AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum
                """, new { View = view }, snapshot.Transaction, cancellationToken: TimeoutToken.Create())));
            var differing = await snapshot.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
                BaseTables.DifferingRowsSql($"SELECT {columns} FROM analysis.{view}", $"SELECT {columns} FROM {AnalysisSnapshot.Relation(view)}"),
                transaction: snapshot.Transaction, cancellationToken: TimeoutToken.Create()));
            var rows = await snapshot.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT count(*) FROM {AnalysisSnapshot.Relation(view)}", transaction: snapshot.Transaction, cancellationToken: TimeoutToken.Create()));
            Assert.True(differing == 0, $"analysis.{view}: {differing} rows differ from its temporary table");
            Assert.True(rows > 0 || view is "fact_changed" or "chat_messages" or "chat_summary" or "retention_measurements" or "retention_survival", $"analysis.{view} is empty");
        }
    }

    [Fact]
    public async Task Privileges_AnalystReadsEveryView_WriterReadsNone()
    {
        var views = await fixture.Database.QueryAsync<string>(
            "SELECT table_name FROM information_schema.views WHERE table_schema = 'analysis' ORDER BY table_name");
        Assert.Equal(
            ["ab_arms", "calibration_bins", "calibration_summary", "chat_messages", "chat_summary", "completion_generations", "completion_queries",
             "daily_usage", "data_completeness", "fact_changed", "filter", "generation_time_histogram", "hourly_usage", "language_usage", "model_comparison",
             "model_performance", "overview", "rejection_outcomes", "retention_measurements", "retention_survival", "time_since_last_histogram",
             "typing_speed_histogram"],
            views);
        foreach (var view in views)
        {
            await fixture.AnalystQueryAsync<object>($"SELECT * FROM analysis.{view} LIMIT 1");
        }

        var undocumented = await fixture.Database.QueryAsync<string>("""
            SELECT c.relname || '.' || coalesce(a.attname, '')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
            WHERE n.nspname = 'analysis' AND c.relkind IN ('r', 'v')
              AND (obj_description(c.oid, 'pg_class') IS NULL OR (a.attnum IS NOT NULL AND col_description(c.oid, a.attnum) IS NULL))
            """);
        Assert.Empty(undocumented);   // every view and column says what it means (the data card is made from these)

        var writer = await fixture.Database.ConnectAsMemberOfAsync("code4me_writer");
        await using var connection = await writer.OpenConnectionAsync(TimeoutToken.Create());
        await using var command = new NpgsqlCommand("SELECT * FROM analysis.overview", connection);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteReaderAsync(TimeoutToken.Create()));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
