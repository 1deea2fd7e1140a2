using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Code4me.Lsp.Reporting;
using Code4me.Lsp.Storage.Postgres.Analysis;

namespace Code4me.Lsp.Commands;

/// <summary>
/// <c>code4me-lsp report --out report.html [--database URL] [--since T] [--until T] [--model M] [--language L] [--user ID] [--study NAME]</c>:
/// computes the analysis views once each (<see cref="AnalysisSnapshot"/>, migrations 0010 and 0012; every aggregation in
/// PostgreSQL) and writes the study's results as one self-contained HTML file (<see cref="HtmlReport"/>). Progress goes to stderr, the written file's summary to stdout. Works as the owner or as a
/// member of code4me_analyst.
/// </summary>
internal static class ReportCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var database = DatabaseCommandRunner.DatabaseOption();
        var output = new Option<string>("--out") { Description = "The HTML file to write (replaced if it exists).", Required = true };
        var since = new Option<string?>("--since") { Description = "Only queries at or after this time (ISO 8601; a date or a time without an offset is UTC)." };
        var until = new Option<string?>("--until") { Description = "Only queries before this time (ISO 8601; a date or a time without an offset is UTC)." };
        var model = new Option<string?>("--model") { Description = "Only this model: its answers and replies, and the queries it answered." };
        var language = new Option<string?>("--language") { Description = "Only queries in this language id (e.g. python)." };
        var user = new Option<string?>("--user") { Description = "Only this participant: a user id, or an anonymous installation id (a UUID)." };
        var study = new Option<string?>("--study")
        {
            Description = "Only this study's participants, within its period (and within --since/--until); see `code4me-lsp study list`.",
        };

        var command = new Command("report", "Write the study's results (usage, A/B arms, models, latency, calibration, survival, rejections, completeness, chat) as one HTML file.");
        command.Options.Add(database);
        command.Options.Add(output);
        command.Options.Add(since);
        command.Options.Add(until);
        command.Options.Add(model);
        command.Options.Add(language);
        command.Options.Add(user);
        command.Options.Add(study);
        command.Validators.Add(result =>
        {
            RequireInstants(result, since, until);
            if (result.GetValue(user) is { } participant && !Guid.TryParse(participant, out _))
            {
                result.AddError($"--user takes a user id or an installation id (a UUID, as `data export` prints them), not '{participant}'.");
            }
        });
        command.SetAction((parseResult, cancellationToken) => DatabaseCommandRunner.RunAsync(context, global, parseResult, database, async (dataSource, ct) =>
        {
            var filter = new AnalysisFilter(
                ParseInstant(parseResult.GetValue(since)), ParseInstant(parseResult.GetValue(until)),
                NullIfEmpty(parseResult.GetValue(model)), NullIfEmpty(parseResult.GetValue(language)),
                parseResult.GetValue(user) is { } participant ? Guid.Parse(participant) : null,
                NullIfEmpty(parseResult.GetValue(study)));
            var path = Path.GetFullPath(parseResult.GetValue(output)!);
            var clock = Stopwatch.StartNew();
            var results = await new AnalysisRepository(dataSource).ReadAsync(
                filter, (view, seconds) => context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"report: computing analysis.{view} ({seconds:0.0} s)")), ct);
            await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"report: read the views in {clock.Elapsed.TotalSeconds:0.00} s; drawing"));
            var html = HtmlReport.Render(results, DateTimeOffset.UtcNow);
            try
            {
                await WriteAtomicallyAsync(path, html, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await context.Error.WriteLineAsync($"Cannot write {path}: {e.Message}");
                return DatabaseCommandRunner.Failure;
            }

            await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"report: done in {clock.Elapsed.TotalSeconds:0.00} s"));
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {path}: {results.Overview.Queries} completion queries, {results.Overview.Participants} participants, {results.Chat.Messages} chat replies."));
            return 0;
        }, cancellationToken));
        return command;
    }

    /// <summary>Each of <paramref name="options"/> given holds an instant (<see cref="ParseInstant"/>), else a parse error naming it.</summary>
    internal static void RequireInstants(System.CommandLine.Parsing.CommandResult result, params Option<string?>[] options)
    {
        foreach (var option in options)
        {
            if (result.GetValue(option) is { } text && ParseInstant(text) is null)
            {
                result.AddError($"{option.Name} takes an ISO 8601 date or time, like 2025-03-04 or 2025-03-04T10:00:00Z, not '{text}'.");
            }
        }
    }

    /// <summary>An ISO 8601 date or time; without an offset it is UTC. Null for null or text that is neither.</summary>
    internal static DateTimeOffset? ParseInstant(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;

    /// <summary>A filter's value, or null (no filter) for none or blank text.</summary>
    internal static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>Writes beside the target and renames, so a reader never sees half a report.</summary>
    private static async Task WriteAtomicallyAsync(string path, string html, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, html, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }
}
