using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Users;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using static Code4me.Lsp.Storage.Postgres.SqlCommands;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>
/// Puts spooled telemetry into the Code4me V2 tables: one transaction per batch, binary COPY for the per-event
/// tables and one statement per table for the rest (<see cref="TelemetryBatch"/>), idempotent on the client's
/// UUIDs so a replayed batch changes nothing. Works as a member of <c>code4me_writer</c> (INSERT only, plus the
/// SECURITY DEFINER functions <c>session_end</c>, <c>user_id_for_auth_token</c>, <c>auth_token_deleted</c>,
/// <c>record_generation_feedback</c> and <c>record_multi_file_context</c>), which may write only rows of the user its
/// auth token proves: each transaction shows PostgreSQL the token (<see cref="WriterProof"/>, migration 0009). Events
/// of an auth token whose account was deleted with all its data are discarded, never written.
/// </summary>
/// <remarks>
/// <para>
/// Optimistic first: the batch is COPYed straight into the tables. If any of its rows is already stored (a replay
/// after a crash between commit and spool acknowledgement, or a batch overlapping one already written), the COPY
/// fails with unique_violation (23505), the transaction rolls back, and the batch is written again <i>staged</i>:
/// COPY into temporary tables, then <c>INSERT … SELECT … ON CONFLICT DO NOTHING</c>, which inserts exactly the
/// missing rows. Every per-event table has a primary key on client ids, so a direct COPY can never duplicate a row.
/// </para>
/// <para>
/// A batch PostgreSQL refuses for its data (SQL state class 22 or 23: a foreign key, a CHECK) is written again
/// event by event, and only the events it refuses are skipped, with an Error log line: a bad event never blocks
/// the spool. Any other failure (the database is away, a privilege is missing) is thrown, so the pipeline retries
/// the whole batch later.
/// </para>
/// </remarks>
internal sealed class PostgresTelemetryWriter(
    NpgsqlDataSource dataSource,
    ReferenceData references,
    IOptions<Code4meStorageOptions> options,
    ILogger<PostgresTelemetryWriter> logger,
    InstallationIdentity? installation = null) : ITelemetryBatchWriter
{
    private Guid? _installationId;

    private int _unknownTokenLogged;
    private long _skipped;
    private long _discarded;
    private int _deletedInstallationLogged;
    private long _staged;

    /// <summary>The machine name that, with the installation id, the user and the folder path, identifies a project (<see cref="ProjectIdentity"/>).</summary>
    public string Machine { get; init; } = Environment.MachineName;

    /// <summary>
    /// This installation's anonymous id (by default <see cref="InstallationIdentity"/>'s): proves an anonymous writer's
    /// projects its own, and makes project ids nobody else can compute (<see cref="ProjectIdentity"/>).
    /// </summary>
    public Guid? InstallationId
    {
        get => _installationId ??= installation?.GetOrCreate();
        init => _installationId = value;
    }

    /// <summary>Events skipped because PostgreSQL refused them for good.</summary>
    public long SkippedCount => Interlocked.Read(ref _skipped);

    /// <summary>Events discarded because the account of the configured auth token was deleted with all its data.</summary>
    public long DiscardedCount => Interlocked.Read(ref _discarded);

    /// <summary>Batches written staged because a direct COPY met rows already stored (replays).</summary>
    public long StagedBatchCount => Interlocked.Read(ref _staged);

    /// <summary>Always write staged (COPY into temporary tables + ON CONFLICT DO NOTHING); for benchmarks and tests.</summary>
    internal bool AlwaysStaged { get; init; }

    public string DescribeFailure(Exception exception) =>
        StorageErrors.Describe(exception, options.Value.Database) ?? exception.GetBaseException().Message;

    public async Task WriteAsync(IReadOnlyList<SpooledRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var (account, installationDeleted) = await StandingAsync(cancellationToken);
        if (account.Deleted)
        {
            // The user asked for all their data to be deleted; what was still spooled on their machine is theirs too.
            Interlocked.Add(ref _discarded, records.Count);
            TelemetryWriterLog.DeletedAccountDiscarded(logger, records.Count);
            return;
        }

        if (installationDeleted)
        {
            // So did this installation's participant (0018): every event of its spool is the installation's.
            Interlocked.Add(ref _discarded, records.Count);
            if (Interlocked.Exchange(ref _deletedInstallationLogged, 1) == 0)
            {
                TelemetryWriterLog.DeletedInstallationDiscarded(logger, records.Count, installation?.Path ?? "the installation-id file");
            }

            return;
        }

        var owner = new BatchOwner(options.Value.AuthToken, account.UserId, InstallationId, Machine);
        var events = records.Select(r => r.Event).ToList();
        try
        {
            await WriteExactlyOnceAsync(events, owner, cancellationToken);
        }
        catch (PostgresException e) when (IsRefusedData(e) && events.Count > 1)
        {
            TelemetryWriterLog.BatchRefused(logger, events.Count, e.SqlState, e.MessageText);
            foreach (var single in events)
            {
                try
                {
                    await WriteExactlyOnceAsync([single], owner, cancellationToken);
                }
                catch (PostgresException refused) when (IsRefusedData(refused))
                {
                    Skip(single, refused);
                }
            }
        }
        catch (PostgresException e) when (IsRefusedData(e))
        {
            Skip(events[0], e);
        }
    }

    /// <summary>Direct COPY; if some rows are already stored (23505), staged, which inserts only the missing ones.</summary>
    private async Task WriteExactlyOnceAsync(List<TelemetryEvent> events, BatchOwner owner, CancellationToken cancellationToken)
    {
        if (AlwaysStaged)
        {
            await WriteEventsAsync(events, owner, staged: true, cancellationToken);
            return;
        }

        try
        {
            await WriteEventsAsync(events, owner, staged: false, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            Interlocked.Increment(ref _staged);
            TelemetryWriterLog.BatchOverlapsStoredRows(logger, events.Count, e.TableName);
            await WriteEventsAsync(events, owner, staged: true, cancellationToken);
        }
    }

    private static bool IsRefusedData(PostgresException e) =>
        e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("23", StringComparison.Ordinal);

    private void Skip(TelemetryEvent e, PostgresException refused)
    {
        Interlocked.Increment(ref _skipped);
        TelemetryWriterLog.EventSkipped(logger, e.EventId, e.GetType().Name, refused.SqlState, refused.MessageText);
    }

    private async Task WriteEventsAsync(IReadOnlyList<TelemetryEvent> events, BatchOwner owner, bool staged, CancellationToken cancellationToken)
    {
        var rows = await TelemetryBatch.CreateAsync(events, references, owner, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await rows.WriteAsync(connection, transaction, staged, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        TelemetryWriterLog.Wrote(logger, rows.EventCount);
    }

    /// <summary>
    /// The user of the configured auth token, or null (anonymous), whether that token's account was deleted with all its
    /// data, and whether this installation was (0018). Resolved for every batch, so a deletion while the server runs is
    /// seen at the next batch (a batch racing an account's deletion is refused by the user's foreign key, and its events,
    /// that user's, are skipped).
    /// </summary>
    private async Task<(AuthTokenAccount Account, bool InstallationDeleted)> StandingAsync(CancellationToken cancellationToken)
    {
        var (token, installationId) = (options.Value.AuthToken, InstallationId);
        if (token is null && installationId is null)
        {
            return default;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var account = token is { } t ? await AuthTokenAccount.ResolveAsync(connection, t, cancellationToken) : default;
        if (account.IsUnknown && token is not null && Interlocked.Exchange(ref _unknownTokenLogged, 1) == 0)
        {
            TelemetryWriterLog.UnknownAuthToken(logger);
        }

        return (account, installationId is { } id && await InstallationDeletedAsync(connection, id, cancellationToken));
    }

    private static async Task<bool> InstallationDeletedAsync(NpgsqlConnection connection, Guid installationId, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.ScalarAsync<bool>("SELECT installation_deleted(@InstallationId)", null, cancellationToken, Param("InstallationId", installationId));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedFunction)
        {
            return false;   // a schema before 0018, which recorded no deleted installation
        }
    }
}
