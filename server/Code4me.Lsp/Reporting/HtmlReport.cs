using System.Globalization;
using System.Net;
using System.Text;
using Code4me.Lsp.Storage.Postgres.Analysis;

namespace Code4me.Lsp.Reporting;

/// <summary>
/// Writes the study report: one self-contained HTML file (inline CSS and SVG, no script, nothing fetched), readable from
/// disk and in print. Every number comes from an analysis view; each headline cell also carries its exact value in
/// <c>data-metric</c> / <c>data-value</c>, so tools and tests read what the page shows. Each figure states its n and its
/// definition, with its table beside it.
/// </summary>
internal static class HtmlReport
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    private const string Style = """
        body { font-family: system-ui, "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 1200px; color: #1b1b1b; padding: 0 1rem; }
        h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; margin-top: 2.2rem; }
        .meta { color: #555; }
        .row { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
        .row > :first-child { flex: 1 1 440px; min-width: 440px; max-width: 760px; } .row > :not(:first-child) { flex: 0 1 auto; }
        figure { margin: 0; } figure svg { width: 100%; height: auto; border: 1px solid #eee; }
        figcaption { font-size: 0.9rem; color: #333; margin-top: 0.3rem; }
        table { border-collapse: collapse; font-size: 0.85rem; }
        .headline { width: 100%; }
        th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.45rem; text-align: right; white-space: nowrap; }
        th { white-space: normal; vertical-align: bottom; }
        th:first-child, td:first-child { text-align: left; }
        .headline td { font-size: 1.05rem; }
        .empty { color: #777; font-style: italic; }
        @media print { body { margin: 0; max-width: none; } figure, table { break-inside: avoid; } }
        """;

    public static string Render(StudyResults results, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(results);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Code4me study report</title>\n<style>\n")
            .Append(Style).Append("</style>\n</head>\n<body>\n<h1>Code4me study report</h1>\n<p class=\"meta\">Generated ")
            .Append(Encode(generatedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", s_invariant))).Append(" from the <code>analysis</code> views. Filter: ")
            .Append(Encode(Describe(results.Filter))).Append(".</p>\n");

        Overview(html, results.Overview);
        Timeline(html, results.Hours);
        TopLanguagesAndModels(html, results.Languages, results.Models);
        Usage(html, results.DailyUsage);
        TypingSpeed(html, results.TypingSpeeds);
        TimeSinceLast(html, results.TimesSinceLast);
        AbTest(html, results.AbArms, results.Filter.Study);
        Models(html, results.Models, results.Comparison);
        Latency(html, results.GenerationTimes);
        Calibration(html, results.CalibrationBins, results.Calibration);
        Survival(html, results.Retention);
        Rejections(html, results.Rejections);
        Completeness(html, results.Completeness);
        Chat(html, results.Chat);

        html.Append("<p class=\"meta\">Definitions: the COMMENTs of the views in schema <code>analysis</code> (<code>\\d+ analysis.overview</code> in psql). ")
            .Append("Acceptance counts full and partial acceptances and divides by the shown answers; intervals are 95 % Wilson score intervals.</p>\n")
            .Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Overview(StringBuilder html, StudyResults.OverviewRow o)
    {
        html.Append("<section id=\"overview\">\n<h2>Overview</h2>\n<table class=\"headline\">\n");
        Row(html, "Completion queries", Metric("overview.queries", o.Queries, Count(o.Queries)));
        Row(html, "Participants (user, else installation)", Metric("overview.participants", o.Participants, Count(o.Participants)));
        Row(html, "Queries with an answer shown", Metric("overview.shown", o.Shown, Count(o.Shown)));
        Row(html, "Queries with an answer accepted (fully or partially)", Metric("overview.accepted", o.Accepted, Count(o.Accepted)));
        Row(html, "Acceptance rate (accepted / shown, 95 % CI)",
            Metric("overview.acceptance_rate", o.AcceptanceRate, RateWithInterval(o.AcceptanceRate, o.AcceptanceCiLow, o.AcceptanceCiHigh)));
        Row(html, "Generation time of the shown answer, median / p95",
            Metric("overview.median_generation_time_ms", o.MedianGenerationTimeMs, $"{Ms(o.MedianGenerationTimeMs)} / {Ms(o.P95GenerationTimeMs)}"));
        Row(html, "Period", Encode(o.FirstQueryAt is null ? "–" : $"{o.FirstQueryAt:yyyy-MM-dd HH:mm} – {o.LastQueryAt:yyyy-MM-dd HH:mm} UTC"));
        html.Append("</table>\n</section>\n");
    }

    private static void Timeline(StringBuilder html, IReadOnlyList<StudyResults.HourlyUsageRow> hours)
    {
        html.Append("<section id=\"timeline\">\n<h2>24 h timeline</h2>\n<div class=\"row\">\n");
        Figure(html, "hourly", ReportFigures.QueriesPerHour(hours),
            $"Completion queries per hour of the day (UTC), over the whole period (n = {Count(hours.Sum(h => h.Queries))} queries).");
        TableHead(html, "hour (UTC)", "queries", "participants", "shown", "accepted", "acceptance");
        foreach (var h in hours.Where(h => h.Queries > 0))
        {
            var hour = h.HourOfDay.ToString("00", s_invariant);
            Cells(html, $"{hour}:00–{hour}:59", Metric($"hour.{h.HourOfDay.ToString(s_invariant)}.queries", h.Queries, Count(h.Queries)),
                Count(h.Participants), Count(h.Shown), Count(h.Accepted), Percent(h.AcceptanceRate));
        }

        html.Append("</table>\n</div>\n<p class=\"meta\">Hours without queries are left out of the table.</p>\n</section>\n");
    }

    private static void TopLanguagesAndModels(
        StringBuilder html, IReadOnlyList<StudyResults.LanguageUsageRow> languages, IReadOnlyList<StudyResults.ModelPerformanceRow> models)
    {
        html.Append("<section id=\"languages\">\n<h2>Top languages and models</h2>\n<div class=\"row\">\n");
        Figure(html, "acceptance-per-language", ReportFigures.AcceptancePerLanguage(languages),
            $"Acceptance rate per language (the editor's language id): queries with an answer accepted / queries with an answer shown, with 95 % Wilson intervals (n = {Count(languages.Sum(l => l.Shown))} shown queries in {languages.Count} languages).");
        TableHead(html, "language", "queries", "participants", "shown", "accepted", "acceptance (95 % CI)");
        foreach (var l in languages)
        {
            var key = "language." + l.Language;
            Cells(html, Encode(l.Language), Metric(key + ".queries", l.Queries, Count(l.Queries)), Count(l.Participants), Count(l.Shown), Count(l.Accepted),
                Metric(key + ".acceptance_rate", l.AcceptanceRate, RateWithInterval(l.AcceptanceRate, l.AcceptanceCiLow, l.AcceptanceCiHigh)));
        }

        html.Append("</table>\n</div>\n");
        TableHead(html, "model", "answers", "shown", "accepted", "acceptance");
        foreach (var m in models.OrderByDescending(m => m.Generations).ThenBy(m => m.Model, StringComparer.Ordinal))
        {
            Cells(html, Encode(m.Model), Count(m.Generations), Count(m.Shown), Count(m.Accepted), Percent(m.AcceptanceRate));
        }

        html.Append("</table>\n<p class=\"meta\">Languages by queries, models by answers, most first; the models in detail under Model performance.</p>\n</section>\n");
    }

    private static void Usage(StringBuilder html, IReadOnlyList<StudyResults.DailyUsageRow> days)
    {
        var queries = days.Sum(d => d.Queries);
        var shown = days.Sum(d => d.Shown);
        html.Append("<section id=\"usage\">\n<h2>Usage over time</h2>\n<div class=\"row\">\n<div>\n");
        Figure(html, "queries-per-day", ReportFigures.QueriesPerDay(days),
            $"Completion queries per UTC day (n = {Count(queries)} queries over {days.Count} days; days without queries are absent).");
        Figure(html, "acceptance-per-day", ReportFigures.AcceptancePerDay(days),
            $"Acceptance rate per day: queries with an answer accepted / queries with an answer shown, with 95 % Wilson intervals (n = {Count(shown)} shown).");
        html.Append("</div>\n");
        TableHead(html, "day", "queries", "participants", "shown", "accepted", "acceptance", "median ms");
        foreach (var d in days)
        {
            Cells(html, d.Day.ToString("yyyy-MM-dd", s_invariant), Count(d.Queries), Count(d.Participants), Count(d.Shown), Count(d.Accepted),
                Percent(d.AcceptanceRate), Ms(d.MedianGenerationTimeMs));
        }

        html.Append("</table>\n</div>\n</section>\n");
    }

    private static void TypingSpeed(StringBuilder html, IReadOnlyList<StudyResults.TypingSpeedBinRow> bins)
    {
        html.Append("<section id=\"typing-speed\">\n<h2>Typing speed</h2>\n<div class=\"row\">\n");
        Figure(html, "typing-speed", ReportFigures.TypingSpeeds(bins),
            $"Typing speed before each completion query: printable characters typed in the 10 s before it, divided by 10, in bins of 1 character per second (n = {Count(bins.Sum(b => b.Queries))} queries with behavioural telemetry).");
        TableHead(html, "characters / s", "queries", "share", "shown", "accepted", "acceptance");
        foreach (var b in bins)
        {
            var low = b.LowCharsPerSecond.ToString(s_invariant);
            Cells(html, b.HighCharsPerSecond is { } high ? $"{low}–{high.ToString(s_invariant)}" : "≥ " + low,
                Metric($"typing.{low}.queries", b.Queries, Count(b.Queries)), Percent(b.Share), Count(b.Shown), Count(b.Accepted), Percent(b.AcceptanceRate));
        }

        html.Append("</table>\n</div>\n</section>\n");
    }

    private static void TimeSinceLast(StringBuilder html, IReadOnlyList<StudyResults.TimeSinceLastBinRow> bins)
    {
        html.Append("<section id=\"time-since-last\">\n<h2>Time since the last suggestion</h2>\n<div class=\"row\">\n");
        Figure(html, "time-since-last", ReportFigures.TimesSinceLast(bins),
            $"How long before each completion query the user was last shown a suggestion, and last accepted one; bars are shares of the queries with behavioural telemetry (n = {Count(bins.Where(b => b.Measure == "shown").Sum(b => b.Queries))} queries).");
        TableHead(html, "since the last", "seconds", "queries", "share", "shown", "accepted", "acceptance");
        foreach (var b in bins)
        {
            Cells(html, Encode(b.Measure), Encode(SecondsRange(b)), Metric($"since_last.{b.Measure}.{b.Bin.ToString(s_invariant)}", b.Queries, Count(b.Queries)),
                Percent(b.Share), Count(b.Shown), Count(b.Accepted), Percent(b.AcceptanceRate));
        }

        html.Append("</table>\n</div>\n</section>\n");
    }

    /// <summary>A bin of <c>analysis.time_since_last_histogram</c> in words: never, [low, high) or ≥ low.</summary>
    internal static string SecondsRange(StudyResults.TimeSinceLastBinRow bin) =>
        bin.LowSeconds is not { } low ? "never before"
        : bin.HighSeconds is { } high ? $"{low.ToString(s_invariant)}–{high.ToString(s_invariant)}"
        : "≥ " + low.ToString(s_invariant);

    private static void AbTest(StringBuilder html, IReadOnlyList<StudyResults.AbArmRow> arms, string? study)
    {
        // analysis.ab_arms.arm_source: the study's arms when the study in force has arms, else the shown models.
        var byStudy = arms.Any(a => a.ArmSource == StudyResults.AbArmRow.StudyArm);
        var what = byStudy
            ? $"an arm is the arm its participants were enrolled in for study {study} (the arm of the query's enrolled user, else of its installation; participants without an arm are left out)"
            : "an arm is the model whose answer was shown (with the AbTest selection policy each participant sees one model)";
        html.Append("<section id=\"ab-test\">\n<h2>A/B test</h2>\n<div class=\"row\">\n");
        Figure(html, "ab-arms", ReportFigures.AcceptancePerArm(arms),
            $"Acceptance per arm: {what}; queries with an answer shown and accepted / shown, with 95 % Wilson intervals (n = {Count(arms.Sum(a => a.Shown))} shown queries, {Count(arms.Sum(a => a.Participants))} participant-arms).");
        TableHead(html, "arm", "participants", "shown", "accepted", "acceptance (95 % CI)", "difference to the baseline (95 % CI)", "uplift");
        foreach (var a in arms)
        {
            var key = "ab." + a.Arm;
            Cells(html, Encode(a.Arm), Count(a.Participants), Metric(key + ".shown", a.Shown, Count(a.Shown)), Metric(key + ".accepted", a.Accepted, Count(a.Accepted)),
                Metric(key + ".acceptance_rate", a.AcceptanceRate, RateWithInterval(a.AcceptanceRate, a.AcceptanceCiLow, a.AcceptanceCiHigh)),
                a.Difference is null ? "baseline" : Metric(key + ".difference", a.Difference, $"{Points(a.Difference)} ({Points(a.DifferenceCiLow)} – {Points(a.DifferenceCiHigh)})"),
                a.Difference is null ? "–" : Metric(key + ".uplift", a.Uplift, Signed(a.Uplift)));
        }

        html.Append("</table>\n</div>\n<p class=\"meta\">Baseline: the alphabetically first arm (by name, in the database's collation)")
            .Append(arms.Count > 0 ? $", here {Encode(arms[0].Baseline)}" : "")
            .Append(". Difference: acceptance rate minus the baseline arm's, in percentage points, with Newcombe's 95 % interval from the two Wilson intervals. Uplift: the difference relative to the baseline's rate. The intervals treat queries as independent; one participant's queries are not, so the true uncertainty is larger.</p>\n</section>\n");
    }

    private static void Models(StringBuilder html, IReadOnlyList<StudyResults.ModelPerformanceRow> models, IReadOnlyList<StudyResults.ModelComparisonRow> comparison)
    {
        html.Append("<section id=\"models\">\n<h2>Model performance</h2>\n<div class=\"row\">\n");
        Figure(html, "acceptance-per-model", ReportFigures.AcceptancePerModel(models),
            $"Acceptance rate per model: its answers accepted / its answers shown, with 95 % Wilson intervals (n = {Count(models.Sum(m => m.Shown))} shown answers of {models.Count} models). When several models answered a query, each answer counts for its model.");
        TableHead(html, "model", "answers", "shown", "accepted", "acceptance (95 % CI)", "generation ms mean / p50 / p95", "exact match vs ground truth");
        foreach (var m in models)
        {
            var key = "model." + m.Model;
            Cells(html,
                Encode(m.Model),
                Metric(key + ".generations", m.Generations, Count(m.Generations)),
                Metric(key + ".shown", m.Shown, Count(m.Shown)),
                Metric(key + ".accepted", m.Accepted, Count(m.Accepted)),
                Metric(key + ".acceptance_rate", m.AcceptanceRate, RateWithInterval(m.AcceptanceRate, m.AcceptanceCiLow, m.AcceptanceCiHigh)),
                Metric(key + ".mean_generation_time_ms", m.MeanGenerationTimeMs, $"{Ms(m.MeanGenerationTimeMs)} / {Ms(m.MedianGenerationTimeMs)} / {Ms(m.P95GenerationTimeMs)}"),
                Metric(key + ".exact_match_rate", m.ExactMatchRate, $"{Percent(m.ExactMatchRate)} ({Count(m.ExactMatches)} of {Count(m.WithGroundTruth)})"));
        }

        html.Append("</table>\n</div>\n");
        if (comparison.Count > 0)
        {
            html.Append("<h3>When several models answered one query</h3>\n");
            TableHead(html, "model", "queries", "shown first", "with ground truth", "exact matches", "right but not shown", "shown but wrong");
            foreach (var c in comparison)
            {
                Cells(html, Encode(c.Model), Count(c.Queries), Count(c.ShownFirst), Count(c.WithGroundTruth), Count(c.ExactMatches),
                    Metric($"comparison.{c.Model}.right_but_not_shown", c.RightButNotShown, Count(c.RightButNotShown)), Count(c.ShownButWrong));
            }

            html.Append("</table>\n<p class=\"meta\">Exact match: the answer equals the first lines of the ground truth (trailing whitespace aside). Right but not shown: a right answer the user never saw.</p>\n");
        }

        html.Append("</section>\n");
    }

    private static void Latency(StringBuilder html, IReadOnlyList<StudyResults.GenerationTimeBinRow> bins)
    {
        html.Append("<section id=\"latency\">\n<h2>Latency</h2>\n<div class=\"row\">\n");
        Figure(html, "latency", ReportFigures.GenerationTimes(bins),
            $"Generation time of every answer per model, in bins of milliseconds; bars are shares of the model's answers (n = {Count(bins.Sum(b => b.Answers))} answers).");
        TableHead(html, "model", "ms", "answers", "share", "shown");
        foreach (var b in bins)
        {
            var range = b.HighMs is { } high ? $"{b.LowMs.ToString(s_invariant)}–{high.ToString(s_invariant)}" : "≥ " + b.LowMs.ToString(s_invariant);
            Cells(html, Encode(b.Model), range, Metric($"latency.{b.Model}.{b.Bin.ToString(s_invariant)}", b.Answers, Count(b.Answers)), Percent(b.Share), Count(b.Shown));
        }

        html.Append("</table>\n</div>\n</section>\n");
    }

    private static void Calibration(StringBuilder html, IReadOnlyList<StudyResults.CalibrationBinRow> bins, IReadOnlyList<StudyResults.CalibrationSummaryRow> summary)
    {
        html.Append("<section id=\"calibration\">\n<h2>Calibration</h2>\n<div class=\"row\">\n");
        Figure(html, "reliability", ReportFigures.Reliability(bins),
            $"Reliability diagram: shown answers grouped by confidence decile (confidence = exp(mean token logprob)); each point is a decile's mean confidence against the share accepted (n = {Count(summary.Sum(s => s.Shown))} shown answers). On the dashed line, confidence predicts acceptance exactly.");
        html.Append("<div>\n");
        TableHead(html, "model", "n shown", "ECE", "Brier score");
        foreach (var s in summary)
        {
            var key = "calibration." + s.Model;
            Cells(html, Encode(s.Model), Count(s.Shown), Metric(key + ".ece", s.ExpectedCalibrationError, Fixed(s.ExpectedCalibrationError)),
                Metric(key + ".brier", s.BrierScore, Fixed(s.BrierScore)));
        }

        html.Append("</table>\n<p class=\"meta\">ECE = Σ over deciles of (n in decile / n) · |acceptance rate − mean confidence|; Brier = mean of (confidence − accepted)², accepted 1 or 0.</p>\n");
        TableHead(html, "model", "decile", "n", "mean confidence", "acceptance");
        foreach (var b in bins)
        {
            Cells(html, Encode(b.Model), $"{Fixed(b.ConfidenceLow, "0.0")}–{Fixed(b.ConfidenceHigh, "0.0")}", Count(b.Shown), Fixed(b.MeanConfidence), Percent(b.AcceptanceRate));
        }

        html.Append("</table>\n</div>\n</div>\n</section>\n");
    }

    private static void Survival(StringBuilder html, IReadOnlyList<StudyResults.RetentionSurvivalRow> rows)
    {
        html.Append("<section id=\"survival\">\n<h2>Survival of accepted code</h2>\n<div class=\"row\">\n");
        Figure(html, "survival", ReportFigures.Survival(rows),
            $"Share of accepted answers still in the code at each delay after acceptance: at least half their characters retained (longest common subsequence with the region's text then; n = {Count(rows.Sum(r => r.Measured))} measurements).");
        TableHead(html, "model", "after", "measured", "survived", "retained characters");
        foreach (var r in rows)
        {
            var after = r.AfterSeconds.ToString(s_invariant);
            Cells(html, Encode(r.Model), after + " s", Count(r.Measured), Metric($"survival.{r.Model}.{after}", r.SurvivalRate, Percent(r.SurvivalRate)),
                $"{Percent(r.RetainedShare)} of {Count(r.AcceptedChars)}");
        }

        html.Append("</table>\n</div>\n</section>\n");
    }

    private static void Rejections(StringBuilder html, IReadOnlyList<StudyResults.RejectionOutcomeRow> models)
    {
        html.Append("<section id=\"rejections\">\n<h2>After a rejection</h2>\n<div class=\"row\">\n");
        Figure(html, "rejections", ReportFigures.Rejections(models),
            $"Rejected answers by what stood at the query position afterwards (their ground truth): the rejected answer exactly, something starting with the same three characters, nothing, or something else (n = {Count(models.Sum(m => m.WithGroundTruth))} rejected answers with a ground truth, of {Count(models.Sum(m => m.Rejected))} rejected).");
        TableHead(html, "model", "rejected", "with ground truth", "wrote it anyway", "same start", "nothing", "something else");
        foreach (var m in models)
        {
            Cells(html, Encode(m.Model), Count(m.Rejected), Count(m.WithGroundTruth),
                Metric($"rejections.{m.Model}.written_anyway", m.WrittenAnyway, $"{Count(m.WrittenAnyway)} ({Percent(m.WrittenAnywayShare)})"),
                Count(m.SameStart), Count(m.NothingWritten), Count(m.Other));
        }

        html.Append("</table>\n</div>\n<p class=\"meta\">The texts themselves are in <code>analysis.completion_generations</code> (<code>completion</code>, <code>ground_truth</code> where <code>was_rejected</code>), and in a dataset exported with <code>--include-code</code>.</p>\n</section>\n");
    }

    private static void Completeness(StringBuilder html, StudyResults.DataCompletenessRow c)
    {
        html.Append("<section id=\"completeness\">\n<h2>Data completeness</h2>\n<div class=\"row\">\n");
        Figure(html, "completeness", ReportFigures.Completeness(c),
            $"Shares of the {Count(c.Queries)} completion queries: with an answer shown; of the shown, with an outcome (accepted, partially accepted or rejected); with a ground truth. A shown answer without an outcome is usually a client that does not report.");
        html.Append("<table class=\"headline\">\n");
        Row(html, "Shown / queries", Metric("completeness.shown_share", c.ShownShare, $"{Percent(c.ShownShare)} ({Count(c.Shown)})"));
        Row(html, "Outcome / shown", Metric("completeness.outcome_share", c.OutcomeShare, $"{Percent(c.OutcomeShare)} ({Count(c.ShownWithOutcome)})"));
        Row(html, "Ground truth / queries", Metric("completeness.ground_truth_share", c.GroundTruthShare, $"{Percent(c.GroundTruthShare)} ({Count(c.WithGroundTruth)})"));
        Row(html, "With code context / contextual / behavioural telemetry",
            $"{Count(c.WithContext)} / {Count(c.WithContextualTelemetry)} / {Count(c.WithBehavioralTelemetry)}");
        html.Append("</table>\n</div>\n</section>\n");
    }

    private static void Chat(StringBuilder html, StudyResults.ChatSummaryRow c)
    {
        html.Append("<section id=\"chat\">\n<h2>Chat</h2>\n<table class=\"headline\">\n");
        Row(html, "Conversations", Metric("chat.chats", c.Chats, Count(c.Chats)));
        Row(html, "Replies", Metric("chat.messages", c.Messages, Count(c.Messages)));
        Row(html, "Participants", Count(c.Participants));
        Row(html, "Marked as a mistake", Metric("chat.mistake_rate", c.MistakeRate, $"{Percent(c.MistakeRate)} ({Count(c.Mistakes)})"));
        Row(html, "Cancelled or failed", Count(c.NotCompleted));
        Row(html, "Tokens, prompt / reply", Metric("chat.prompt_tokens", c.PromptTokens, $"{Count(c.PromptTokens)} / {Count(c.CompletionTokens)}"));
        Row(html, "Cost (priced replies)", Metric("chat.cost", c.Cost, c.Cost is { } cost ? cost.ToString("0.######", s_invariant) : "–"));
        Row(html, "Reply time, median", Ms(c.MedianGenerationTimeMs));
        html.Append("</table>\n</section>\n");
    }

    private static void Figure(StringBuilder html, string name, string? svg, string caption)
    {
        html.Append("<figure data-figure=\"").Append(name).Append("\">\n");
        html.Append(svg ?? "<p class=\"empty\">No data for this figure.</p>");
        html.Append("\n<figcaption>").Append(Encode(caption)).Append("</figcaption>\n</figure>\n");
    }

    private static void Row(StringBuilder html, string label, string cell) => Cells(html, Encode(label), cell);

    /// <summary>Opens a table with a header row; the caller closes it.</summary>
    private static void TableHead(StringBuilder html, params string[] headers) =>
        html.Append("<table>\n<tr>").AppendJoin("", headers.Select(h => $"<th>{Encode(h)}</th>")).Append("</tr>\n");

    /// <summary>One table row of cells already made HTML.</summary>
    private static void Cells(StringBuilder html, params string[] cells) =>
        html.Append("<tr>").AppendJoin("", cells.Select(c => $"<td>{c}</td>")).Append("</tr>\n");

    /// <summary>A shown value (already encoded here) wrapped with its exact value for machines.</summary>
    private static string Metric(string key, object? value, string shown)
    {
        var exact = value switch
        {
            null => "",
            double d => d.ToString("R", s_invariant),
            IFormattable f => f.ToString(null, s_invariant),
            _ => value.ToString() ?? "",
        };
        return $"<span data-metric=\"{Encode(key)}\" data-value=\"{exact}\">{Encode(shown)}</span>";
    }

    private static string Describe(AnalysisFilter filter)
    {
        if (filter.IsEmpty)
        {
            return "none (all data)";
        }

        List<string> parts = [];
        if (filter.Since is { } since)
        {
            parts.Add("since " + since.ToString("O", s_invariant));
        }

        if (filter.Until is { } until)
        {
            parts.Add("until " + until.ToString("O", s_invariant));
        }

        if (filter.Model is { } model)
        {
            parts.Add("model " + model);
        }

        if (filter.Language is { } language)
        {
            parts.Add("language " + language);
        }

        if (filter.Participant is { } participant)
        {
            parts.Add("participant " + participant.ToString("D"));
        }

        if (filter.Study is { } study)
        {
            parts.Add("study " + study);
        }

        return string.Join(", ", parts);
    }

    private static string RateWithInterval(double? rate, double? low, double? high) =>
        rate is null ? "–" : $"{Percent(rate)} ({Percent(low)} – {Percent(high)})";

    private static string Points(double? value) => value is { } v ? (100 * v).ToString("+0.0;−0.0;0.0", s_invariant) + " pp" : "–";

    private static string Signed(double? value) => value is { } v ? (100 * v).ToString("+0.0;−0.0;0.0", s_invariant) + " %" : "–";

    private static string Count(long value) => value.ToString("N0", s_invariant);

    private static string Percent(double? value) => value is { } v ? (100 * v).ToString("0.0", s_invariant) + " %" : "–";

    private static string Ms(double? value) => value is { } v ? v.ToString("0", s_invariant) + " ms" : "–";

    private static string Fixed(double value, string format = "0.000") => value.ToString(format, s_invariant);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
