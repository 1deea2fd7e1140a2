using System.CommandLine;
using System.Globalization;
using Code4me.Lsp.Reporting;
using Code4me.Lsp.Storage.Postgres.Analysis;
using Code4me.Lsp.Storage.Postgres.Users;

namespace Code4me.Lsp.Commands;

/// <summary>
/// Data rights: <c>code4me-lsp data export --user ID|EMAIL</c> (everything stored about the user, JSON on stdout),
/// <c>data delete --user ID|EMAIL [--keep-anonymised]</c>, the same two for an anonymous <c>--installation ID</c>, <c>data purge --older-than 90d</c>. Each is one
/// transaction with its audit_log row; a failure changes nothing and exits 1.
/// </summary>
internal static class DataCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var database = DatabaseCommandRunner.DatabaseOption();
        var user = new Option<string?>("--user") { Description = "The user's id or e-mail address." };
        var installation = new Option<Guid?>("--installation")
        {
            Description = "An anonymous installation id (code4me-lsp telemetry status prints it), instead of --user.",
        };

        var export = new Command("export", "Print everything stored about a user (or an anonymous installation) as JSON.");
        export.Options.Add(user);
        export.Options.Add(installation);
        export.Validators.Add(result => OneSubject(result, user, installation));
        export.SetAction((parseResult, cancellationToken) => DatabaseCommandRunner.RunAsync(context, global, parseResult, database, async (dataSource, ct) =>
        {
            var repository = new UserDataRepository(dataSource);
            if (parseResult.GetValue(installation) is { } installationId)
            {
                await context.Out.WriteLineAsync(await repository.ExportInstallationAsync(installationId, ct));
                return 0;
            }

            var id = await repository.FindAsync(parseResult.GetValue(user)!, ct);
            await context.Out.WriteLineAsync(await repository.ExportAsync(id, ct));
            return 0;
        }, cancellationToken));

        var keep = new Option<bool>("--keep-anonymised") { Description = "Delete the account but keep its queries, with user_id NULL." };
        var delete = new Command("delete", "Delete a user and all their data (or keep their queries anonymised), or an anonymous installation's data.");
        delete.Options.Add(user);
        delete.Options.Add(installation);
        delete.Options.Add(keep);
        delete.Validators.Add(result =>
        {
            OneSubject(result, user, installation);
            if (result.GetResult(installation) is not null && result.GetValue(keep))
            {
                result.AddError("--keep-anonymised applies to --user only: an installation's data is already anonymous.");
            }
        });
        delete.SetAction((parseResult, cancellationToken) => DatabaseCommandRunner.RunAsync(context, global, parseResult, database, async (dataSource, ct) =>
        {
            var repository = new UserDataRepository(dataSource);
            if (parseResult.GetValue(installation) is { } installationId)
            {
                var deleted = await repository.DeleteInstallationAsync(installationId, ct);
                await context.Out.WriteLineAsync($"Deleted the data of installation {installationId} ({deleted} queries).");
                return 0;
            }

            var id = await repository.FindAsync(parseResult.GetValue(user)!, ct);
            var anonymised = parseResult.GetValue(keep);
            var queries = await repository.DeleteAsync(id, anonymised, ct);
            await context.Out.WriteLineAsync(anonymised
                ? $"Deleted user {id}; {queries} queries kept without a user."
                : $"Deleted user {id} and all their data ({queries} queries).");
            return 0;
        }, cancellationToken));

        var olderThan = new Option<string>("--older-than") { Description = "Age of the queries to delete: Nd (days) or Nh (hours), e.g. 90d.", Required = true };
        var purge = new Command("purge", "Delete every query older than an age (retention), with its context and telemetry.");
        purge.Options.Add(olderThan);
        purge.SetAction((parseResult, cancellationToken) => DatabaseCommandRunner.RunAsync(context, global, parseResult, database, async (dataSource, ct) =>
        {
            var age = ParseAge(parseResult.GetValue(olderThan)!);
            var queries = await new UserDataRepository(dataSource).PurgeAsync(age, DateTimeOffset.UtcNow, ct);
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Purged {queries} queries older than {age.TotalDays:0.##} days."));
            return 0;
        }, cancellationToken));

        var partitions = new Command(
            "partitions",
            "Create the per-event tables' monthly partitions through two months ahead and list them (data purge does this too), and bring the report's kept fact rows up to date (report does this too); run it from cron.");
        partitions.SetAction((parseResult, cancellationToken) => DatabaseCommandRunner.RunAsync(context, global, parseResult, database, async (dataSource, ct) =>
        {
            var (created, months) = await new UserDataRepository(dataSource).EnsurePartitionsAsync(ct);
            await context.Out.WriteLineAsync($"Created {created} partitions; months: {string.Join(' ', months)}.");
            // Between reports the change log of the kept facts grows with every batch; a refresh empties it.
            var (rebuilt, queries) = await new AnalysisRepository(dataSource).RefreshKeptFactsAsync(ct);
            await context.Out.WriteLineAsync(rebuilt ? $"Kept facts: rebuilt, {queries} queries." : $"Kept facts: {queries} queries brought up to date.");
            return 0;
        }, cancellationToken));

        var format = new Option<string>("--format") { Description = "parquet (default) or csv.", DefaultValueFactory = _ => "parquet" };
        format.AcceptOnlyFromAmong("parquet", "csv");
        var outDirectory = new Option<string>("--out") { Description = "The folder to write (created; must be empty).", Required = true };
        var includeCode = new Option<bool>("--include-code") { Description = "Also export code and chat text (completions, ground truth, messages, replies)." };
        var dataset = new Command("export-dataset", "Write the analysis views as a shareable dataset: a file per view, pseudonymous ids, a data card (works as code4me_analyst).");
        dataset.Options.Add(format);
        dataset.Options.Add(outDirectory);
        dataset.Options.Add(includeCode);
        var study = new Option<string?>("--study")
        {
            Description = "Only this study's participants, within its period (as `report --study`); see `code4me-lsp study list`.",
        };
        dataset.Options.Add(study);
        dataset.SetAction((parseResult, cancellationToken) => DatabaseCommandRunner.RunAsync(context, global, parseResult, database, async (dataSource, ct) =>
        {
            var folder = Path.GetFullPath(parseResult.GetValue(outDirectory)!);
            if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            {
                await context.Error.WriteLineAsync($"{folder} is not empty: export into a new or empty folder, so no file of another export is mistaken for this one's.");
                return DatabaseCommandRunner.Failure;
            }

            var filter = new AnalysisFilter(Study: ReportCommand.NullIfEmpty(parseResult.GetValue(study)));
            await using var views = await AnalysisDataset.OpenAsync(
                dataSource, filter, (view, seconds) => context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"export: computing analysis.{view} ({seconds:0.0} s)")), ct);
            var export = new DatasetExport(views, folder, parseResult.GetValue(format) == "parquet", parseResult.GetValue(includeCode), line => context.Error.WriteLine(line));
            var files = await export.WriteAsync(ct);
            await views.CompleteAsync(DatasetExport.AuditDetail(parseResult.GetValue(format)!, parseResult.GetValue(includeCode), filter.Study, files), ct);
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Wrote {files.Count} files and README.md to {folder} ({files.Sum(f => f.Rows)} rows)."));
            return 0;
        }, cancellationToken));

        var command = new Command("data", "Export, delete or purge research data (needs the database owner role; export-dataset: an analyst).");
        command.Options.Add(database);
        command.Subcommands.Add(export);
        command.Subcommands.Add(delete);
        command.Subcommands.Add(purge);
        command.Subcommands.Add(partitions);
        command.Subcommands.Add(dataset);
        return command;
    }

    internal static void OneSubject(System.CommandLine.Parsing.CommandResult result, Option<string?> user, Option<Guid?> installation)
    {
        if ((result.GetResult(user) is null) == (result.GetResult(installation) is null))
        {
            result.AddError("Name exactly one subject: --user ID|EMAIL or --installation ID.");
        }
    }

    /// <summary>"90d" → 90 days, "12h" → 12 hours; anything else (or not positive) is an <see cref="ArgumentException"/>.</summary>
    internal static TimeSpan ParseAge(string value)
    {
        var text = value.Trim();
        if (text.Length >= 2
            && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            && amount > 0)
        {
            switch (char.ToLowerInvariant(text[^1]))
            {
                case 'd':
                    return TimeSpan.FromDays(amount);
                case 'h':
                    return TimeSpan.FromHours(amount);
            }
        }

        throw new ArgumentException($"--older-than takes a positive age in days or hours, like 90d or 12h, not '{value}'.");
    }
}
