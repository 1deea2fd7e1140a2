using Npgsql;
using static Code4me.Lsp.Storage.Postgres.SqlCommands;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>
/// The <c>unnest</c> shape the telemetry writer uses for its shared rows and follow-ups (the per-event tables go by
/// binary COPY, see <see cref="TelemetryBatch"/>): one statement per table per batch,
/// the rows as parallel arrays through <c>unnest</c>, idempotent on the client's ids with a bare
/// <c>ON CONFLICT DO NOTHING</c> (naming the conflict column would need SELECT, which code4me_writer
/// does not have). Never one statement per row.
/// </summary>
internal static class BehavioralTelemetryTable
{
    private const string InsertSql = """
        INSERT INTO behavioral_telemetry (behavioral_telemetry_id, time_since_last_shown, time_since_last_accepted, typing_speed)
        SELECT * FROM unnest(@Ids::uuid[], @Shown::bigint[], @Accepted::bigint[], @TypingSpeed::double precision[])
        ON CONFLICT DO NOTHING
        """;

    /// <summary>Inserts the rows in one round trip; returns how many were new (a replayed row counts 0).</summary>
    public static Task<int> InsertAsync(
        NpgsqlConnection connection, IReadOnlyList<BehavioralTelemetryRow> rows, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        return connection.ExecuteAsync(InsertSql, transaction, cancellationToken,
            Param("Ids", rows.Select(r => r.Id).ToArray()),
            Param("Shown", rows.Select(r => r.TimeSinceLastShownMs).ToArray()),
            Param("Accepted", rows.Select(r => r.TimeSinceLastAcceptedMs).ToArray()),
            Param("TypingSpeed", rows.Select(r => r.TypingSpeed).ToArray()));
    }
}
