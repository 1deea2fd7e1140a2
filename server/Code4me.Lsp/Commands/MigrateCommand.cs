using System.CommandLine;
using System.Globalization;
using Code4me.Lsp.Storage.Postgres.Migrations;

namespace Code4me.Lsp.Commands;

/// <summary>
/// <c>code4me-lsp migrate up | down N | status [--database …]</c>: applies, reverts or shows the
/// schema migrations. Results go to stdout, errors to stderr as one clear sentence, and any failure
/// exits non-zero.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var database = DatabaseCommandRunner.DatabaseOption();

        var up = new Command("up", "Apply every pending migration.");
        up.SetAction((parseResult, cancellationToken) =>
            RunAsync(context, global, parseResult, database, (migrator, ct) => UpAsync(context, migrator, ct), cancellationToken));

        var version = new Argument<int>("version") { Description = "The version to go back to; 0 removes everything." };
        var down = new Command("down", "Revert applied migrations down to a version.");
        down.Arguments.Add(version);
        down.SetAction((parseResult, cancellationToken) =>
            RunAsync(context, global, parseResult, database, (migrator, ct) => DownAsync(context, migrator, parseResult.GetValue(version), ct), cancellationToken));

        var status = new Command("status", "Show which migrations are applied.");
        status.SetAction((parseResult, cancellationToken) =>
            RunAsync(context, global, parseResult, database, (migrator, ct) => StatusAsync(context, migrator, ct), cancellationToken));

        var migrate = new Command("migrate", "Apply, revert or show the PostgreSQL schema migrations.");
        migrate.Options.Add(database);
        migrate.Subcommands.Add(up);
        migrate.Subcommands.Add(down);
        migrate.Subcommands.Add(status);
        return migrate;
    }

    private static Task<int> RunAsync(
        CliContext context,
        GlobalOptions global,
        ParseResult parseResult,
        Option<string?> database,
        Func<Migrator, CancellationToken, Task<int>> action,
        CancellationToken cancellationToken) =>
        DatabaseCommandRunner.RunAsync(
            context, global, parseResult, database, (dataSource, ct) => action(new Migrator(dataSource, MigrationCatalog.Embedded), ct), cancellationToken);

    private static async Task<int> UpAsync(CliContext context, Migrator migrator, CancellationToken cancellationToken)
    {
        var run = await migrator.UpAsync(cancellationToken);
        await WriteRunAsync(context, run, "Applied");
        await context.Out.WriteLineAsync(run.Migrations.Count == 0
            ? $"The database is already at schema version {run.ToVersion}; nothing to apply."
            : $"The database is at schema version {run.ToVersion}.");
        return 0;
    }

    private static async Task<int> DownAsync(CliContext context, Migrator migrator, int version, CancellationToken cancellationToken)
    {
        var run = await migrator.DownAsync(version, cancellationToken);
        await WriteRunAsync(context, run, "Reverted");
        await context.Out.WriteLineAsync(run.Migrations.Count == 0
            ? $"The database is already at schema version {run.ToVersion}; nothing to revert."
            : $"The database is at schema version {run.ToVersion}.");
        return 0;
    }

    private static async Task<int> StatusAsync(CliContext context, Migrator migrator, CancellationToken cancellationToken)
    {
        var status = await migrator.StatusAsync(cancellationToken);
        await context.Out.WriteLineAsync("version  state    applied at (UTC)      name");
        foreach (var entry in status.Entries)
        {
            var appliedAt = entry.AppliedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";
            await context.Out.WriteLineAsync(
                string.Create(CultureInfo.InvariantCulture, $"{entry.Version:D4}     {entry.State.ToString().ToLowerInvariant(),-8} {appliedAt,-21} {entry.Name}"));
        }

        var pending = status.Entries.Count(e => e.State == MigrationState.Pending);
        await context.Out.WriteLineAsync(
            $"Schema version {status.CurrentVersion}; this code4me-lsp knows up to {status.LatestKnownVersion}; {pending} pending.");
        if (status.IsConsistent)
        {
            return 0;
        }

        foreach (var entry in status.Entries.Where(e => e.State == MigrationState.Changed))
        {
            await context.Error.WriteLineAsync(
                $"Migration {entry.Version:D4} was edited after it was applied: restore it and put the change in a new migration.");
        }

        if (status.Entries.Any(e => e.State == MigrationState.Unknown))
        {
            await context.Error.WriteLineAsync(
                $"The database is at schema version {status.CurrentVersion}, newer than this code4me-lsp knows ({status.LatestKnownVersion}): upgrade code4me-lsp.");
        }

        return DatabaseCommandRunner.Failure;
    }

    private static async Task WriteRunAsync(CliContext context, MigrationRun run, string verb)
    {
        foreach (var migration in run.Migrations)
        {
            await context.Out.WriteLineAsync($"{verb} {migration.FullName}");
        }

        foreach (var notice in run.Notices)
        {
            await context.Out.WriteLineAsync($"notice: {notice}");
        }
    }
}
