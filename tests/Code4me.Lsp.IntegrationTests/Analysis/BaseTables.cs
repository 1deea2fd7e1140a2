using Code4me.Lsp.IntegrationTests.Support;

namespace Code4me.Lsp.IntegrationTests.Analysis;

/// <summary>
/// The study's headline numbers computed again, independently of the analysis views: straight from the base tables
/// (as the owner), and calibration here in C#. The views' tests and the report's tests both compare against these.
/// </summary>
internal static class BaseTables
{
    /// <summary>
    /// One row per completion query: a query is shown when one of its generations has a display time, accepted when one
    /// has was_accepted.
    /// </summary>
    public const string QueriesSql = """
        SELECT mq.meta_query_id, mq."timestamp", s.installation_id, l.language_name,
               EXISTS (SELECT FROM had_generation g WHERE g.meta_query_id = mq.meta_query_id AND g.shown_at <> '{}') AS shown,
               EXISTS (SELECT FROM had_generation g WHERE g.meta_query_id = mq.meta_query_id AND g.was_accepted) AS accepted
        FROM completion_query cq JOIN meta_query mq USING (meta_query_id) JOIN session s USING (session_id)
        JOIN contextual_telemetry c USING (contextual_telemetry_id) JOIN programming_language l USING (language_id)
        """;

    /// <summary>
    /// How many rows are in one of two queries and not in the other, either way, counting duplicates: 0 when they hold the
    /// same rows.
    /// </summary>
    public static string DifferingRowsSql(string left, string right) =>
        $"SELECT count(*) FROM (({left} EXCEPT ALL {right}) UNION ALL ({right} EXCEPT ALL {left})) d";

    /// <summary>An answer <c>g.completion</c> equals the truth <c>t.ground_truth</c>: the truth starts with the trimmed answer and the rest of that line is blank.</summary>
    private const string ExactMatchSql = """
        starts_with(t.ground_truth, rtrim(g.completion)) AND substr(t.ground_truth, length(rtrim(g.completion)) + 1) ~ '^[ \t]*(\n|$)'
        """;

    public static async Task<(long Queries, long Participants, long Shown, long Accepted)> OverviewAsync(TestDatabase database, string? language = null) =>
        (await database.QueryAsync<(long, long, long, long)>($"""
            SELECT count(*), count(DISTINCT installation_id), count(*) FILTER (WHERE shown), count(*) FILTER (WHERE accepted)
            FROM ({QueriesSql}) q WHERE @Language IS NULL OR language_name = @Language
            """, new { Language = language })).Single();

    /// <summary>
    /// Per model: answers, shown, accepted, mean generation time, answers with a 15 s ground truth, and exact matches —
    /// said differently from the view: the truth starts with the trimmed answer and the rest of that line is blank.
    /// </summary>
    public static Task<List<(string Model, long Generations, long Shown, long Accepted, double MeanTime, long WithTruth, long Exact)>> ModelsAsync(TestDatabase database) =>
        database.QueryAsync<(string, long, long, long, double, long, long)>($$"""
            SELECT m.model_name, count(*), count(*) FILTER (WHERE g.shown_at <> '{}'), count(*) FILTER (WHERE g.was_accepted),
                   avg(g.generation_time)::float8, count(t.ground_truth),
                   count(*) FILTER (WHERE {{ExactMatchSql}})
            FROM had_generation g JOIN model_name m USING (model_id) JOIN completion_query cq USING (meta_query_id)
            LEFT JOIN ground_truth t ON t.completion_query_id = g.meta_query_id AND t.after_seconds = 15
            GROUP BY m.model_name ORDER BY m.model_name
            """);

    /// <summary>
    /// Over queries that two or more models answered, per model: answers, shown first (its first display time is the
    /// earliest of the query's, ties to the smaller name), with a 15 s ground truth, exact matches, right but not shown
    /// first, shown first but wrong.
    /// </summary>
    public static Task<List<(string Model, long Queries, long ShownFirst, long WithTruth, long Exact, long RightNotShown, long ShownWrong)>> ComparisonAsync(TestDatabase database) =>
        database.QueryAsync<(string, long, long, long, long, long, long)>($$"""
            SELECT model_name, count(*), count(*) FILTER (WHERE first), count(ground_truth), count(*) FILTER (WHERE exact),
                   count(*) FILTER (WHERE exact AND NOT first), count(*) FILTER (WHERE first AND ground_truth IS NOT NULL AND NOT exact)
            FROM (
                SELECT m.model_name, t.ground_truth, coalesce({{ExactMatchSql}}, false) AS exact,
                       g.shown_at <> '{}' AND NOT EXISTS (
                           SELECT FROM had_generation o JOIN model_name om ON om.model_id = o.model_id
                           WHERE o.meta_query_id = g.meta_query_id AND o.shown_at <> '{}'
                             AND (o.shown_at[1] < g.shown_at[1] OR (o.shown_at[1] = g.shown_at[1] AND om.model_name < m.model_name))) AS first
                FROM had_generation g JOIN model_name m USING (model_id)
                LEFT JOIN ground_truth t ON t.completion_query_id = g.meta_query_id AND t.after_seconds = 15
                WHERE g.meta_query_id IN (SELECT meta_query_id FROM had_generation JOIN completion_query USING (meta_query_id) GROUP BY 1 HAVING count(*) >= 2)
            ) x
            GROUP BY model_name ORDER BY model_name
            """);

    /// <summary>Per model, over its shown answers: n, ECE over confidence deciles, Brier score, and per decile (n, accepted).</summary>
    public static async Task<List<(string Model, long Shown, double Ece, double Brier, List<(int Bin, long Shown, long Accepted)> Bins)>> CalibrationAsync(TestDatabase database)
    {
        var rows = await database.QueryAsync<(string Model, double Confidence, bool Accepted)>("""
            SELECT m.model_name, g.confidence, g.was_accepted FROM had_generation g JOIN model_name m USING (model_id)
            JOIN completion_query cq USING (meta_query_id) WHERE g.shown_at <> '{}'
            """);
        return
        [
            .. rows.GroupBy(r => r.Model).OrderBy(m => m.Key, StringComparer.Ordinal).Select(model =>
            {
                var mine = model.ToList();
                var bins = mine.GroupBy(r => Math.Min((int)Math.Floor(r.Confidence * 10) + 1, 10)).OrderBy(b => b.Key).ToList();
                var ece = bins.Sum(b => (double)b.Count() / mine.Count * Math.Abs(b.Average(r => r.Accepted ? 1.0 : 0.0) - b.Average(r => r.Confidence)));
                var brier = mine.Average(r => Math.Pow(r.Confidence - (r.Accepted ? 1 : 0), 2));
                return (model.Key, (long)mine.Count, ece, brier, bins.Select(b => (b.Key, (long)b.Count(), (long)b.Count(r => r.Accepted))).ToList());
            }),
        ];
    }

    /// <summary>Queries, shown, shown with a feedback row, with a ground truth, with a code context.</summary>
    public static async Task<(long Queries, long Shown, long ShownWithOutcome, long WithTruth, long WithContext)> CompletenessAsync(TestDatabase database) =>
        (await database.QueryAsync<(long, long, long, long, long)>("""
            SELECT count(*),
                   count(*) FILTER (WHERE EXISTS (SELECT FROM had_generation g WHERE g.meta_query_id = mq.meta_query_id AND g.shown_at <> '{}')),
                   count(*) FILTER (WHERE EXISTS (SELECT FROM had_generation g WHERE g.meta_query_id = mq.meta_query_id AND g.shown_at <> '{}')
                                      AND EXISTS (SELECT FROM generation_feedback f WHERE f.meta_query_id = mq.meta_query_id)),
                   count(*) FILTER (WHERE EXISTS (SELECT FROM ground_truth t WHERE t.completion_query_id = mq.meta_query_id)),
                   count(mq.context_id)
            FROM completion_query cq JOIN meta_query mq USING (meta_query_id)
            """)).Single();

    public static async Task<(long Chats, long Messages, long Mistakes, long NotCompleted, long Prompt, long Completion, decimal Cost)> ChatAsync(TestDatabase database) =>
        (await database.QueryAsync<(long, long, long, long, long, long, decimal)>("""
            SELECT count(DISTINCT cq.chat_id), count(*), count(*) FILTER (WHERE g.is_mistake), count(*) FILTER (WHERE cq.outcome <> 'completed'),
                   sum(g.prompt_tokens), sum(g.completion_tokens), sum(g.cost)
            FROM chat_query cq JOIN had_generation g USING (meta_query_id)
            """)).Single();

    /// <summary>
    /// Per arm (the model whose answer a query showed first: earliest display time, ties to the smaller name): participants
    /// (installations), shown queries, accepted queries; and the rate, Wilson interval, difference to the first arm by name
    /// with Newcombe's interval, and the uplift, computed here.
    /// </summary>
    public static async Task<List<(string Arm, long Participants, long Shown, long Accepted, double Rate, double Low, double High, double? Difference, double? DifferenceLow, double? DifferenceHigh, double? Uplift)>> AbArmsAsync(TestDatabase database)
    {
        var arms = await database.QueryAsync<(string Arm, long Participants, long Shown, long Accepted)>("""
            SELECT arm, count(DISTINCT installation_id), count(*), count(*) FILTER (WHERE accepted)
            FROM (
                SELECT s.installation_id,
                       EXISTS (SELECT FROM had_generation g WHERE g.meta_query_id = mq.meta_query_id AND g.was_accepted) AS accepted,
                       (SELECT m.model_name FROM had_generation g JOIN model_name m USING (model_id)
                        WHERE g.meta_query_id = mq.meta_query_id AND g.shown_at <> '{}'
                        ORDER BY (SELECT min(t) FROM unnest(g.shown_at) t), m.model_name LIMIT 1) AS arm
                FROM completion_query cq JOIN meta_query mq USING (meta_query_id) JOIN session s USING (session_id)) q
            WHERE arm IS NOT NULL
            GROUP BY arm ORDER BY arm
            """);
        var baseline = arms[0];
        var p2 = (double)baseline.Accepted / baseline.Shown;
        var (l2, u2) = Wilson(baseline.Accepted, baseline.Shown);
        return
        [
            .. arms.Select(a =>
            {
                var p1 = (double)a.Accepted / a.Shown;
                var (l1, u1) = Wilson(a.Accepted, a.Shown);
                if (a.Arm == baseline.Arm)
                {
                    return (a.Arm, a.Participants, a.Shown, a.Accepted, p1, l1, u1, (double?)null, (double?)null, (double?)null, (double?)null);
                }

                var d = p1 - p2;
                return (a.Arm, a.Participants, a.Shown, a.Accepted, p1, l1, u1, d,
                    d - Math.Sqrt(((p1 - l1) * (p1 - l1)) + ((u2 - p2) * (u2 - p2))), d + Math.Sqrt(((u1 - p1) * (u1 - p1)) + ((p2 - l2) * (p2 - l2))), d / p2);
            }),
        ];
    }

    /// <summary>Per model and generation-time bin (edges 0, 50, 100, 200, 500, 1000, 2000, 5000 ms): answers, counted here.</summary>
    public static async Task<List<(string Model, int Bin, long Answers)>> GenerationTimesAsync(TestDatabase database)
    {
        int[] edges = [0, 50, 100, 200, 500, 1000, 2000, 5000];
        var rows = await database.QueryAsync<(string Model, int Time)>(
            "SELECT m.model_name, g.generation_time FROM had_generation g JOIN model_name m USING (model_id) JOIN completion_query USING (meta_query_id)");
        return
        [
            .. rows.GroupBy(r => (r.Model, Bin: edges.Count(e => r.Time >= e)))
                .OrderBy(g => g.Key.Model, StringComparer.Ordinal).ThenBy(g => g.Key.Bin)
                .Select(g => (g.Key.Model, g.Key.Bin, (long)g.Count())),
        ];
    }

    /// <summary>Completion queries per whole characters per second of typing speed (10 or more together), counted here.</summary>
    public static async Task<List<(int Low, long Queries)>> TypingSpeedsAsync(TestDatabase database)
    {
        var speeds = await database.QueryAsync<double>(
            "SELECT b.typing_speed FROM completion_query JOIN meta_query USING (meta_query_id) JOIN behavioral_telemetry b USING (behavioral_telemetry_id) WHERE b.typing_speed IS NOT NULL");
        return [.. speeds.GroupBy(s => Math.Min((int)Math.Floor(s), 10)).OrderBy(g => g.Key).Select(g => (g.Key, (long)g.Count()))];
    }

    /// <summary>
    /// Per measure (shown, accepted) and bin of the time since the last one (0 never; then edges 0, 1, 5, 15, 60, 300 s):
    /// completion queries with behavioural telemetry, counted here.
    /// </summary>
    public static async Task<List<(string Measure, int Bin, long Queries)>> TimesSinceLastAsync(TestDatabase database)
    {
        double[] edges = [0, 1, 5, 15, 60, 300];
        var rows = await database.QueryAsync<(long? Shown, long? Accepted)>(
            "SELECT b.time_since_last_shown, b.time_since_last_accepted FROM completion_query JOIN meta_query USING (meta_query_id) JOIN behavioral_telemetry b USING (behavioral_telemetry_id)");
        int Bin(long? ms) => ms is { } v ? edges.Count(e => v / 1000.0 >= e) : 0;
        return
        [
            .. rows.Select(r => (Measure: "accepted", Bin: Bin(r.Accepted))).Concat(rows.Select(r => (Measure: "shown", Bin: Bin(r.Shown))))
                .GroupBy(b => b).OrderBy(g => g.Key.Measure, StringComparer.Ordinal).ThenBy(g => g.Key.Bin)
                .Select(g => (g.Key.Measure, g.Key.Bin, (long)g.Count())),
        ];
    }

    /// <summary>Per hour of the day (UTC) that has queries: queries, shown, accepted.</summary>
    public static Task<List<(int Hour, long Queries, long Shown, long Accepted)>> HoursAsync(TestDatabase database) =>
        database.QueryAsync<(int, long, long, long)>($"""
            SELECT extract(hour FROM "timestamp" AT TIME ZONE 'UTC')::int, count(*), count(*) FILTER (WHERE shown), count(*) FILTER (WHERE accepted)
            FROM ({QueriesSql}) q GROUP BY 1 ORDER BY 1
            """);

    /// <summary>Per language: queries, shown, accepted.</summary>
    public static Task<List<(string Language, long Queries, long Shown, long Accepted)>> LanguagesAsync(TestDatabase database) =>
        database.QueryAsync<(string, long, long, long)>($"""
            SELECT language_name, count(*), count(*) FILTER (WHERE shown), count(*) FILTER (WHERE accepted)
            FROM ({QueriesSql}) q GROUP BY 1 ORDER BY 1
            """);

    /// <summary>
    /// Per model, its rejected answers (a rejected feedback row) and what stood at the position 15 s later, sorted here: the
    /// answer exactly, a blank first line, the same first three characters, something else.
    /// </summary>
    public static async Task<List<(string Model, long Rejected, long WithTruth, long WrittenAnyway, long SameStart, long Nothing, long Other)>> RejectionsAsync(TestDatabase database)
    {
        var rows = await database.QueryAsync<(string Model, string Completion, string? Truth, bool? Exact)>($$"""
            SELECT m.model_name, g.completion, t.ground_truth, {{ExactMatchSql}}
            FROM had_generation g JOIN model_name m USING (model_id) JOIN completion_query USING (meta_query_id)
            LEFT JOIN ground_truth t ON t.completion_query_id = g.meta_query_id AND t.after_seconds = 15
            WHERE EXISTS (SELECT FROM generation_feedback f WHERE f.meta_query_id = g.meta_query_id AND f.model_id = g.model_id AND f.kind = 'rejected')
            """);
        static string FirstLine(string text) => text.Split('\n')[0].Trim(' ', '\t', '\r');
        string? Outcome((string Model, string Completion, string? Truth, bool? Exact) r) =>
            r.Truth is null ? null
            : r.Exact == true ? "written"
            : FirstLine(r.Truth).Length == 0 ? "nothing"
            : FirstLine(r.Completion).Length > 0 && FirstLine(r.Truth)[..Math.Min(3, FirstLine(r.Truth).Length)] == FirstLine(r.Completion)[..Math.Min(3, FirstLine(r.Completion).Length)] ? "same"
            : "other";
        return
        [
            .. rows.GroupBy(r => r.Model).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            {
                var outcomes = g.Select(Outcome).ToList();
                return (g.Key, (long)outcomes.Count, (long)outcomes.Count(o => o is not null), (long)outcomes.Count(o => o == "written"),
                    (long)outcomes.Count(o => o == "same"), (long)outcomes.Count(o => o == "nothing"), (long)outcomes.Count(o => o == "other"));
            }),
        ];
    }

    /// <summary>The 95 % Wilson score interval of <paramref name="k"/> successes in <paramref name="n"/> trials.</summary>
    public static (double Low, double High) Wilson(long k, long n)
    {
        const double Z = 1.96;
        var p = (double)k / n;
        var centre = p + (Z * Z / (2 * n));
        var margin = Z * Math.Sqrt((p * (1 - p) / n) + (Z * Z / (4.0 * n * n)));
        var scale = 1 + (Z * Z / n);
        return ((centre - margin) / scale, (centre + margin) / scale);
    }
}
