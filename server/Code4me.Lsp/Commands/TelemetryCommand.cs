using System.CommandLine;
using System.Globalization;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Hosting;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Code4me.Lsp.Commands;

/// <summary>
/// <c>code4me-lsp telemetry flush [--database …] [--spool DIR]</c> uploads the local telemetry spool to PostgreSQL
/// (e.g. one written while no database was configured); <c>telemetry status [--spool DIR]</c> shows what it holds
/// and this installation's anonymous id.
/// The spool directory and the database default to the server's settings (<see cref="SettingsSources"/>:
/// <c>appsettings.json</c>, the environment, <c>--config</c>). A spool held by a running
/// server is left alone: that server uploads it. Any failure exits non-zero with one sentence on stderr, and what
/// was not uploaded stays in the spool.
/// </summary>
internal static class TelemetryCommand
{
    private const int Failure = 1;

    public static Command Create(GlobalOptions global, CliContext context)
    {
        var spoolOption = new Option<string?>("--spool")
        {
            Description = "The spool directory (default: Code4me:Telemetry:Spool:Directory, else ~/.local/share/code4me/spool).",
            Recursive = true,
        };
        var database = new Option<string?>("--database")
        {
            Description = $"An Npgsql connection string or a postgres://user:password@host:port/db URL (default: ${Code4meStorageOptions.DatabaseEnvironmentVariable}, else {SpoolServiceCollectionExtensions.DatabaseKey}).",
        };

        var flush = new Command("flush", "Upload every spooled telemetry event to PostgreSQL.");
        flush.Options.Add(database);
        flush.SetAction((parseResult, cancellationToken) =>
            FlushAsync(context, global.Settings(parseResult), parseResult.GetValue(database), parseResult.GetValue(spoolOption), cancellationToken));

        var status = new Command("status", "Show how many telemetry events wait in the spool, and its size.");
        status.SetAction((parseResult, _) => StatusAsync(context, global.Settings(parseResult), parseResult.GetValue(spoolOption)));

        var telemetry = new Command("telemetry", "Upload or inspect the local telemetry spool.");
        telemetry.Options.Add(spoolOption);
        telemetry.Subcommands.Add(flush);
        telemetry.Subcommands.Add(status);
        return telemetry;
    }

    private static SpoolOptions SpoolOptionsFrom(IConfiguration configuration, string? spoolDirectory)
    {
        var options = configuration.GetSection(SpoolOptions.Section).Get<SpoolOptions>() ?? new SpoolOptions();
        if (!string.IsNullOrWhiteSpace(spoolDirectory))
        {
            options.Directory = spoolDirectory;
        }

        return options;
    }

    /// <summary>The spool directory and the <c>instance-N</c> directories of servers that ran beside another.</summary>
    private static List<string> SpoolDirectories(SpoolOptions options)
    {
        var root = options.EffectiveDirectory;
        if (!Directory.Exists(root))
        {
            return [];
        }

        return [root, .. Directory.GetDirectories(root, "instance-*").Order(StringComparer.Ordinal)];
    }

    private static DurableSpool? OpenExact(string directory, SpoolOptions options) =>
        DurableSpool.TryOpenExact(directory, options.SegmentBytes, options.MaxBytes, options.WarnAtPercent, NullLogger.Instance);

    private static async Task<int> FlushAsync(
        CliContext context, IConfiguration configuration, string? databaseOption, string? spoolDirectory, CancellationToken cancellationToken)
    {
        var setting = SettingsSources.Database(configuration, databaseOption);
        if (setting is null)
        {
            await context.Error.WriteLineAsync($"{SettingsSources.NoDatabase} The spool keeps the telemetry meanwhile.");
            return Failure;
        }

        var options = SpoolOptionsFrom(configuration, spoolDirectory);
        long total = 0;
        var current = options.EffectiveDirectory;
        try
        {
            var authToken = SpoolServiceCollectionExtensions.ParseAuthToken(configuration[SpoolServiceCollectionExtensions.AuthTokenKey]);
            return await StorageDatabase.RunAsync(setting, async database =>
            {
                var writer = database.TelemetryWriter(authToken, new InstallationIdentity(options.InstallationIdPath, NullLogger<InstallationIdentity>.Instance));
                foreach (var directory in SpoolDirectories(options))
                {
                    current = directory;
                    using var spool = OpenExact(directory, options);
                    if (spool is null)
                    {
                        await context.Out.WriteLineAsync($"{directory}: in use by a running code4me-lsp, which uploads it itself; skipped.");
                        continue;
                    }

                    var result = await SpoolUploader.UploadAsync(spool, writer, options.WriteBatchSize, NullLogger.Instance, cancellationToken);
                    total += result.Uploaded;
                    var skipped = result.Undecodable > 0
                        ? string.Create(CultureInfo.InvariantCulture, $"; {result.Undecodable} unreadable record(s) skipped.")
                        : ".";
                    await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{directory}: uploaded {result.Uploaded} event(s){skipped}"));
                }

                if (writer.SkippedCount > 0)
                {
                    await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{writer.SkippedCount} event(s) were refused by the database for their data and skipped (their query never arrived)."));
                }

                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Uploaded {total} telemetry event(s) to PostgreSQL."));
                return 0;
            });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Cancelled after uploading {total} event(s); the rest stay in the spool {current}."));
            return Failure;
        }
        catch (Exception e) when (e is StorageException or FormatException or IOException or UnauthorizedAccessException)
        {
            await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Telemetry flush failed: {e.Message.TrimEnd('.')}. {total} event(s) were uploaded before; the rest stay in the spool {current}."));
            return Failure;
        }
    }

    private static async Task<int> StatusAsync(CliContext context, IConfiguration configuration, string? spoolDirectory)
    {
        var options = SpoolOptionsFrom(configuration, spoolDirectory);
        await context.Out.WriteLineAsync(InstallationIdentity.Read(options.InstallationIdPath) is { } installationId
            ? $"Installation id: {installationId} (anonymous; quote it to have this installation's data exported or deleted)."
            : "Installation id: none yet (created when telemetry is first recorded with consent).");
        var directories = SpoolDirectories(options);
        if (directories.Count == 0)
        {
            await context.Out.WriteLineAsync($"No telemetry spool at {options.EffectiveDirectory}: nothing pending.");
            return 0;
        }

        long pending = 0, bytes = 0;
        try
        {
            foreach (var directory in directories)
            {
                using var spool = OpenExact(directory, options);
                if (spool is null)
                {
                    await context.Out.WriteLineAsync($"{directory}: in use by a running code4me-lsp.");
                    continue;
                }

                var waiting = spool.LastSequence - spool.AcknowledgedSequence;
                pending += waiting;
                bytes += spool.TotalBytes;
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{directory}: {waiting} pending event(s), {spool.TotalBytes} bytes."));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await context.Error.WriteLineAsync($"Cannot read the telemetry spool: {e.Message}");
            return Failure;
        }

        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{pending} pending event(s), {bytes} bytes of spool (bound {options.MaxBytes} bytes)."));
        return 0;
    }
}
