using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Code4me.Lsp.IntegrationTests.Support;

namespace Code4me.Lsp.IntegrationTests.Analysis;

/// <summary>
/// <c>code4me-lsp report</c> (the executable) over the <see cref="StudySeed"/>, run as a code4me_analyst login: the headline
/// numbers in the HTML equal independent SQL over the base tables, and headless Chromium draws every figure.
/// </summary>
public sealed partial class ReportCommandTests(StudyDatabaseFixture fixture, ITestOutputHelper output) : IClassFixture<StudyDatabaseFixture>, IDisposable
{
    private const int Figures = 13;
    private readonly string _folder = Directory.CreateTempSubdirectory("code4me-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Report_SeededStudy_HeadlineNumbersEqualIndependentSql()
    {
        var (html, stdout) = await ReportAsync();
        var metrics = Metrics(html);

        var overview = await BaseTables.OverviewAsync(fixture.Database);
        Assert.Equal(overview, (Long(metrics, "overview.queries"), Long(metrics, "overview.participants"), Long(metrics, "overview.shown"), Long(metrics, "overview.accepted")));
        Assert.Equal((double)overview.Accepted / overview.Shown, Double(metrics, "overview.acceptance_rate"), 1e-12);
        Assert.Contains($"{overview.Queries} completion queries, {overview.Participants} participants", stdout, StringComparison.Ordinal);

        foreach (var model in await BaseTables.ModelsAsync(fixture.Database))
        {
            var key = "model." + model.Model;
            Assert.Equal((model.Generations, model.Shown, model.Accepted), (Long(metrics, key + ".generations"), Long(metrics, key + ".shown"), Long(metrics, key + ".accepted")));
            Assert.Equal(model.MeanTime, Double(metrics, key + ".mean_generation_time_ms"), 1e-9);
            Assert.Equal((double)model.Exact / model.WithTruth, Double(metrics, key + ".exact_match_rate"), 1e-12);
        }

        foreach (var model in await BaseTables.ComparisonAsync(fixture.Database))
        {
            Assert.Equal(model.RightNotShown, Long(metrics, $"comparison.{model.Model}.right_but_not_shown"));
        }

        foreach (var model in await BaseTables.CalibrationAsync(fixture.Database))
        {
            Assert.Equal(model.Ece, Double(metrics, $"calibration.{model.Model}.ece"), 1e-9);
            Assert.Equal(model.Brier, Double(metrics, $"calibration.{model.Model}.brier"), 1e-9);
        }

        var completeness = await BaseTables.CompletenessAsync(fixture.Database);
        Assert.Equal((double)completeness.ShownWithOutcome / completeness.Shown, Double(metrics, "completeness.outcome_share"), 1e-12);
        Assert.Equal((double)completeness.WithTruth / completeness.Queries, Double(metrics, "completeness.ground_truth_share"), 1e-12);

        var chat = await BaseTables.ChatAsync(fixture.Database);
        Assert.Equal((chat.Chats, chat.Messages, chat.Prompt), (Long(metrics, "chat.chats"), Long(metrics, "chat.messages"), Long(metrics, "chat.prompt_tokens")));
        Assert.Equal((double)chat.Mistakes / chat.Messages, Double(metrics, "chat.mistake_rate"), 1e-12);
        Assert.Equal(chat.Cost, decimal.Parse(metrics["chat.cost"], CultureInfo.InvariantCulture));

        foreach (var arm in await BaseTables.AbArmsAsync(fixture.Database))
        {
            Assert.Equal(arm.Rate, Double(metrics, $"ab.{arm.Arm}.acceptance_rate"), 1e-12);
            if (arm.Difference is { } difference)
            {
                Assert.Equal(difference, Double(metrics, $"ab.{arm.Arm}.difference"), 1e-12);
                Assert.Equal(arm.Uplift!.Value, Double(metrics, $"ab.{arm.Arm}.uplift"), 1e-12);
            }
        }

        foreach (var model in await BaseTables.RejectionsAsync(fixture.Database))
        {
            Assert.Equal(model.WrittenAnyway, Long(metrics, $"rejections.{model.Model}.written_anyway"));
        }

        foreach (var bin in await BaseTables.GenerationTimesAsync(fixture.Database))
        {
            Assert.Equal(bin.Answers, Long(metrics, $"latency.{bin.Model}.{bin.Bin}"));
        }

        Assert.All(await BaseTables.TypingSpeedsAsync(fixture.Database), b => Assert.Equal(b.Queries, Long(metrics, $"typing.{b.Low}.queries")));
        Assert.All(await BaseTables.TimesSinceLastAsync(fixture.Database), b => Assert.Equal(b.Queries, Long(metrics, $"since_last.{b.Measure}.{b.Bin}")));
        Assert.All(await BaseTables.HoursAsync(fixture.Database), h => Assert.Equal(h.Queries, Long(metrics, $"hour.{h.Hour}.queries")));
        foreach (var language in await BaseTables.LanguagesAsync(fixture.Database))
        {
            Assert.Equal(language.Queries, Long(metrics, $"language.{language.Language}.queries"));
            Assert.Equal((double)language.Accepted / language.Shown, Double(metrics, $"language.{language.Language}.acceptance_rate"), 1e-12);
        }


        var survival = await fixture.Database.QueryAsync<(string Model, int After, double Rate)>("""
            SELECT m.model_name, r.after_seconds, avg(CASE WHEN 2 * r.retained_chars >= r.accepted_chars THEN 1.0 ELSE 0.0 END)::float8
            FROM completion_retention r JOIN model_name m USING (model_id) GROUP BY 1, 2
            """);
        Assert.NotEmpty(survival);
        Assert.All(survival, s => Assert.Equal(s.Rate, Double(metrics, $"survival.{s.Model}.{s.After}"), 1e-12));
    }

    [Fact]
    public async Task Report_FilteredByLanguage_CountsOnlyThatLanguage()
    {
        var (html, _) = await ReportAsync("--language", "lua", "--since", "2025-03-01");

        Assert.Equal((await BaseTables.OverviewAsync(fixture.Database, "lua")).Queries, Long(Metrics(html), "overview.queries"));
        Assert.Contains("language lua", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_FilteredByUser_CountsOnlyThatParticipant()
    {
        var installation = (await fixture.Database.QueryAsync<Guid>("SELECT installation_id FROM session WHERE installation_id IS NOT NULL ORDER BY 1 LIMIT 1")).Single();
        var (html, _) = await ReportAsync("--user", installation.ToString());

        var expected = await fixture.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM ({BaseTables.QueriesSql}) q WHERE installation_id = @Installation", new { Installation = installation });
        Assert.Equal((expected, 1L), (Long(Metrics(html), "overview.queries"), Long(Metrics(html), "overview.participants")));
        Assert.Contains("participant " + installation.ToString("D"), html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_ForEachOfTwoStudies_HeadlineNumbersEqualIndependentSqlOverItsParticipantsAndPeriod()
    {
        // Two studies of different participants: the first keeps the first installation over the first day (its period),
        // the second the other installation with no period, reported with --since the second day (the intersection).
        var installations = await fixture.Database.QueryAsync<Guid>("SELECT DISTINCT installation_id FROM session WHERE installation_id IS NOT NULL ORDER BY 1");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var day1 = new DateTimeOffset(StudySeed.Day1.Date, TimeSpan.Zero);
        (string Name, Guid Installation, DateTimeOffset From, DateTimeOffset To, string[] Period, string[] ReportOptions)[] studies =
        [
            ("pilot-" + suffix, installations[0], day1, day1.AddDays(1), ["--since", "2025-03-04", "--until", "2025-03-05"], []),
            ("main-" + suffix, installations[1], day1.AddDays(1), DateTimeOffset.MaxValue, [], ["--since", "2025-03-05"]),
        ];
        foreach (var study in studies)
        {
            await fixture.StudyCliAsync(["study", "create", study.Name, "--description", "a test study", .. study.Period]);
            await fixture.StudyCliAsync("study", "enrol", study.Name, "--installation", study.Installation.ToString(), "--arm", "A");
        }

        foreach (var study in studies)
        {
            var (html, stdout) = await ReportAsync(["--study", study.Name, .. study.ReportOptions]);
            var metrics = Metrics(html);
            var range = new { study.Installation, From = study.From.UtcDateTime, To = study.To == DateTimeOffset.MaxValue ? DateTime.MaxValue : study.To.UtcDateTime };

            var overview = (await fixture.Database.QueryAsync<(long Queries, long Participants, long Shown, long Accepted)>($"""
                SELECT count(*), count(DISTINCT installation_id), count(*) FILTER (WHERE shown), count(*) FILTER (WHERE accepted)
                FROM ({BaseTables.QueriesSql}) q WHERE installation_id = @Installation AND "timestamp" >= @From AND "timestamp" < @To
                """, range)).Single();
            Assert.Equal((StudySeed.Queries / 4, 1L), (overview.Queries, overview.Participants));   // one installation's queries of one day
            Assert.Equal(overview, (Long(metrics, "overview.queries"), Long(metrics, "overview.participants"), Long(metrics, "overview.shown"), Long(metrics, "overview.accepted")));
            Assert.Equal((double)overview.Accepted / overview.Shown, Double(metrics, "overview.acceptance_rate"), 1e-12);
            Assert.Contains($"{overview.Queries} completion queries, 1 participants", stdout, StringComparison.Ordinal);
            Assert.Contains("study " + study.Name, html, StringComparison.Ordinal);

            var models = await fixture.Database.QueryAsync<(string Model, long Generations, long Shown, long Accepted)>("""
                SELECT m.model_name, count(*), count(*) FILTER (WHERE g.shown_at <> '{}'), count(*) FILTER (WHERE g.was_accepted)
                FROM had_generation g JOIN model_name m USING (model_id) JOIN completion_query cq USING (meta_query_id)
                JOIN meta_query mq USING (meta_query_id) JOIN session s USING (session_id)
                WHERE s.installation_id = @Installation AND mq."timestamp" >= @From AND mq."timestamp" < @To
                GROUP BY m.model_name
                """, range);
            Assert.Equal(2, models.Count);
            Assert.All(models, m => Assert.Equal(
                (m.Generations, m.Shown, m.Accepted),
                (Long(metrics, $"model.{m.Model}.generations"), Long(metrics, $"model.{m.Model}.shown"), Long(metrics, $"model.{m.Model}.accepted"))));
        }
    }

    [Fact]
    public async Task Report_StudyWithTwoArms_ComparesTheArmsAsIndependentSqlWithTheFirstByNameAsBaseline()
    {
        // Each installation in an arm; "treatment" enrolled first, so the baseline is "control" by name, not by enrolment.
        var installations = await fixture.Database.QueryAsync<Guid>("SELECT DISTINCT installation_id FROM session WHERE installation_id IS NOT NULL ORDER BY 1");
        var name = "arms-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.StudyCliAsync("study", "create", name);
        await fixture.StudyCliAsync("study", "enrol", name, "--installation", installations[0].ToString(), "--arm", "treatment");
        await fixture.StudyCliAsync("study", "enrol", name, "--installation", installations[1].ToString(), "--arm", "control");

        var (html, _) = await ReportAsync("--study", name);
        var metrics = Metrics(html);

        var arms = (await fixture.Database.QueryAsync<(string Arm, long Shown, long Accepted)>($"""
            SELECT CASE WHEN installation_id = @Treatment THEN 'treatment' ELSE 'control' END, count(*) FILTER (WHERE shown), count(*) FILTER (WHERE shown AND accepted)
            FROM ({BaseTables.QueriesSql}) q WHERE installation_id IN (@Treatment, @Control) GROUP BY 1
            """, new { Treatment = installations[0], Control = installations[1] })).ToDictionary(a => a.Arm);
        Assert.Equal(["control", "treatment"], arms.Keys.Order(StringComparer.Ordinal));
        var control = (double)arms["control"].Accepted / arms["control"].Shown;
        var treatment = (double)arms["treatment"].Accepted / arms["treatment"].Shown;
        Assert.All(arms.Values, a => Assert.Equal(
            (a.Shown, a.Accepted, (double)a.Accepted / a.Shown),
            (Long(metrics, $"ab.{a.Arm}.shown"), Long(metrics, $"ab.{a.Arm}.accepted"), Double(metrics, $"ab.{a.Arm}.acceptance_rate"))));
        Assert.False(metrics.ContainsKey("ab.control.uplift"));   // the baseline
        Assert.Equal(treatment - control, Double(metrics, "ab.treatment.difference"), 1e-12);
        Assert.Equal((treatment - control) / control, Double(metrics, "ab.treatment.uplift"), 1e-12);
        Assert.DoesNotContain(metrics.Keys, k => k.StartsWith("ab.", StringComparison.Ordinal) && !k.StartsWith("ab.control.", StringComparison.Ordinal) && !k.StartsWith("ab.treatment.", StringComparison.Ordinal));
        Assert.Contains($"the arm its participants were enrolled in for study {name}", html, StringComparison.Ordinal);
        Assert.Contains("Baseline: the alphabetically first arm (by name, in the database's collation), here control.", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_UnknownStudy_IsOneLineAndExitCode1NotAnEmptyReport()
    {
        var file = Path.Combine(_folder, "unknown.html");

        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("report", "--database", fixture.AnalystConnectionString, "--out", file, "--study", "no-such-study");

        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        Assert.Equal("No study is named 'no-such-study' (`code4me-lsp study list` lists them).", stderr.Trim());
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Report_EmptyDatabase_SaysNoDataInsteadOfFailing()
    {
        await using var empty = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var file = Path.Combine(_folder, "empty.html");

        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("report", "--database", empty.ConnectionString, "--out", file);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("0 completion queries", stdout, StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(file);
        Assert.Equal(Figures, Regex.Count(html, "No data for this figure"));
        Assert.Equal("0", Metrics(html)["overview.queries"]);
    }

    [Theory]
    [InlineData("--since", "last tuesday", "--since takes an ISO 8601 date or time")]
    [InlineData("--user", "alice", "--user takes a user id or an installation id")]
    public async Task Report_BadOption_IsOneLineAndExitCode2(string option, string value, string message)
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("report", "--database", fixture.AnalystConnectionString, "--out", Path.Combine(_folder, "x.html"), option, value);

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "x.html")));
    }

    [Fact]
    public async Task Report_InHeadlessChromium_DrawsEveryFigureAndFetchesNothing()
    {
        var (html, _) = await ReportAsync();
        var file = Path.Combine(_folder, "report.html");

        // Self-contained: nothing to fetch (the only URLs are SVG namespace names; references stay inside the page).
        Assert.DoesNotMatch(new Regex("(src|href)\\s*=\\s*\"(?!#)|<script|<link|@import|url\\((?!#)", RegexOptions.IgnoreCase), html);
        var ids = Regex.Matches(html, " id=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());   // several SVGs on one page: no clip path may point into another figure
        Assert.Equal(Figures, Regex.Count(html, "<figure "));

        var screenshot = Path.Combine(Repository.Artifacts("report"), "report.png");
        var dom = await ChromiumAsync("--dump-dom", new Uri(file).AbsoluteUri);
        await ChromiumAsync($"--screenshot={screenshot}", "--window-size=1280,5200", new Uri(file).AbsoluteUri);
        output.WriteLine($"screenshot: {screenshot}");

        // Every figure was parsed into an SVG element with drawn paths and text (not the "No data" placeholder).
        var figures = Regex.Matches(dom.Stdout, "<figure data-figure=\"([a-z-]+)\">(.*?)</figure>", RegexOptions.Singleline);
        Assert.Equal(Figures, figures.Count);
        Assert.All(figures, f =>
        {
            Assert.Contains("<svg", f.Groups[2].Value, StringComparison.Ordinal);
            Assert.Contains("<path", f.Groups[2].Value, StringComparison.Ordinal);
            Assert.Contains("<text", f.Groups[2].Value, StringComparison.Ordinal);
        });
        Assert.DoesNotContain("No data for this figure", dom.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CONSOLE(", dom.Stderr, StringComparison.Ordinal);   // no console message, error or otherwise
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is not blank");
    }

    private async Task<(string Html, string Stdout)> ReportAsync(params string[] options)
    {
        var file = Path.Combine(_folder, "report.html");
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync(["report", "--database", fixture.AnalystConnectionString, "--out", file, .. options]);
        output.WriteLine(stderr);
        Assert.Equal(0, exitCode);
        Assert.Contains("report: computing analysis.overview", stderr, StringComparison.Ordinal);   // progress on stderr
        return (await File.ReadAllTextAsync(file), stdout);
    }

    /// <summary>Runs Debian's chromium headless on a fresh profile, with no network beyond the file.</summary>
    private async Task<(string Stdout, string Stderr)> ChromiumAsync(params string[] arguments)
    {
        var profile = Directory.CreateDirectory(Path.Combine(_folder, "profile-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var info = new ProcessStartInfo("chromium")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--enable-logging=stderr", "--v=0", $"--user-data-dir={profile}", .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("chromium is not installed: apt-get install chromium (.ci/run does).", e);
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync(TestTimeout.Token());
            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}: {await stderr}");
            return (await stdout, await stderr);
        }
    }

    private static Dictionary<string, string> Metrics(string html) =>
        MetricPattern().Matches(html).ToDictionary(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value), m => m.Groups[2].Value);

    private static long Long(Dictionary<string, string> metrics, string key) => long.Parse(metrics[key], CultureInfo.InvariantCulture);

    private static double Double(Dictionary<string, string> metrics, string key) => double.Parse(metrics[key], CultureInfo.InvariantCulture);

    [GeneratedRegex("data-metric=\"([^\"]+)\" data-value=\"([^\"]*)\"")]
    private static partial Regex MetricPattern();
}
