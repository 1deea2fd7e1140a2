using Npgsql;
using NpgsqlTypes;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>
/// A telemetry table written by binary COPY, its columns listed once, in one place, for both ways of writing it:
/// <list type="bullet">
/// <item><b>Direct</b> (<see cref="CopyAsync"/> into the table): the fast path. A row whose key is already
/// stored fails the whole COPY with unique_violation (23505), and the writer rolls the batch back.</item>
/// <item><b>Staged</b> (<see cref="CreateStageSql"/>, <see cref="CopyAsync"/> into the stage, <see cref="MergeSql"/>):
/// COPY into a temporary table dropped at commit, then <c>INSERT … SELECT … ON CONFLICT DO NOTHING</c>, so a
/// replayed or overlapping batch inserts exactly the rows that are missing. A bare <c>ON CONFLICT DO NOTHING</c>
/// needs no SELECT on the table, which code4me_writer does not have; the stage is its own temporary table.</item>
/// </list>
/// Columns the list leaves out get their defaults in both ways.
/// </summary>
internal sealed class CopyTable<TRow>(string name)
{
    private readonly List<CopyColumn<TRow>> _columns = [];

    /// <summary>The table's name.</summary>
    public string Name { get; } = name;

    /// <summary>The temporary staging table's name.</summary>
    public string StageName => "c4m_stage_" + Name;

    /// <summary>Adds a column (declaration order is COPY order); returns this table, to list columns fluently.</summary>
    public CopyTable<TRow> Column<TValue>(string column, NpgsqlDbType type, Func<TRow, TValue> value)
    {
        _columns.Add(CopyColumn<TRow>.Of(column, type, value));
        return this;
    }

    private string ColumnList => string.Join(", ", _columns.Select(c => c.Name));

    /// <summary><c>CREATE TEMP TABLE</c> for the stage: the same columns, no constraints, dropped at commit or rollback.</summary>
    public string CreateStageSql =>
        $"CREATE TEMP TABLE {StageName} ({string.Join(", ", _columns.Select(c => $"{c.Name} {c.SqlType}"))}) ON COMMIT DROP";

    /// <summary>Moves the stage into the table; rows whose key (or unique value) is already stored are left alone.</summary>
    public string MergeSql => $"INSERT INTO {Name} ({ColumnList}) SELECT {ColumnList} FROM {StageName} ON CONFLICT DO NOTHING";

    /// <summary>
    /// Writes <paramref name="rows"/> by binary COPY into <see cref="Name"/> or, when <paramref name="staged"/>,
    /// into <see cref="StageName"/> (which <see cref="CreateStageSql"/> must have created in this transaction).
    /// </summary>
    public async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<TRow> rows, bool staged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rows);
        var sql = $"COPY {(staged ? StageName : Name)} ({ColumnList}) FROM STDIN (FORMAT BINARY)";
        await using var importer = await connection.BeginBinaryImportAsync(sql, cancellationToken);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            foreach (var column in _columns)
            {
                await column.WriteAsync(importer, row, cancellationToken);
            }
        }

        await importer.CompleteAsync(cancellationToken);
    }
}
