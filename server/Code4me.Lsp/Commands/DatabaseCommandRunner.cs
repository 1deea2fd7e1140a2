using System.CommandLine;
using Code4me.Lsp.Hosting;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Spool;
using Code4me.Lsp.Storage.Postgres;

namespace Code4me.Lsp.Commands;

/// <summary>
/// Shared by the commands that talk to the database as its owner (<c>migrate</c>, <c>user</c>, <c>data</c>): the <c>--database</c>
/// option, connecting, and turning every expected failure into one sentence on stderr and exit code 1.
/// </summary>
internal static class DatabaseCommandRunner
{
    public const int Failure = 1;

    public static Option<string?> DatabaseOption() => new("--database")
    {
        Description = $"An Npgsql connection string or a postgres://user:password@host:port/db URL (default: ${Code4meStorageOptions.DatabaseEnvironmentVariable}, else {SpoolServiceCollectionExtensions.DatabaseKey}).",
        Recursive = true,
    };

    /// <summary>Runs <paramref name="action"/> on the database of <paramref name="database"/>, else of the settings (<see cref="SettingsSources.Database"/>).</summary>
    public static async Task<int> RunAsync(
        CliContext context,
        GlobalOptions global,
        ParseResult parseResult,
        Option<string?> database,
        Func<StorageDatabase, CancellationToken, Task<int>> action,
        CancellationToken cancellationToken)
    {
        var setting = SettingsSources.Database(global.Settings(parseResult), parseResult.GetValue(database));
        if (setting is null)
        {
            await context.Error.WriteLineAsync(SettingsSources.NoDatabase);
            return Failure;
        }

        try
        {
            return await StorageDatabase.RunAsync(setting, database => action(database, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync("Cancelled.");
            return Failure;
        }
        catch (ArgumentException e)
        {
            // A broken rule or an unknown user: the message says which; nothing was changed.
            await context.Error.WriteLineAsync(e.Message.Split(" (Parameter", 2)[0]);
            return Failure;
        }
        catch (StorageException e)
        {
            await context.Error.WriteLineAsync(e.Message);
            return Failure;
        }
    }
}
