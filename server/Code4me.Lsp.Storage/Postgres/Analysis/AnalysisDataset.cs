using System.Runtime.CompilerServices;
using Npgsql;

namespace Code4me.Lsp.Storage.Postgres.Analysis;

/// <summary>
/// The analysis views (migrations 0010, 0012, 0013) as a dataset, unfiltered or restricted to one study: their columns with types and COMMENTs, and their rows, all read
/// from one <see cref="AnalysisSnapshot"/> (each view computed once, one repeatable-read snapshot for every file of an
/// export). Open it, read, record the export (<see cref="CompleteAsync"/>), dispose. Works as the owner or as a member of
/// code4me_analyst.
/// </summary>
internal sealed class AnalysisDataset : IAsyncDisposable
{
    /// <summary>Columns holding code or chat text: exported only when asked for.</summary>
    public static readonly IReadOnlySet<string> TextColumns = new HashSet<string>(StringComparer.Ordinal) { "completion", "ground_truth", "message", "reply" };

    /// <summary>Columns that identify a person, an installation or a session: exported only as pseudonyms.</summary>
    public static readonly IReadOnlySet<string> IdentityColumns = new HashSet<string>(StringComparer.Ordinal) { "participant_id", "user_id", "installation_id", "session_id" };

    private const string ColumnsSql = """
        SELECT c.relname, obj_description(c.oid, 'pg_class'), a.attname, format_type(a.atttypid, a.atttypmod), col_description(c.oid, a.attnum)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname = 'analysis' AND c.relkind = 'v' AND c.relname NOT IN ('filter', 'fact_changed')
        ORDER BY c.relname, a.attnum
        """;

    private const string AuditSql = "SELECT analysis.audit_dataset_export(@Detail::jsonb)";

    private readonly AnalysisSnapshot _snapshot;

    private AnalysisDataset(AnalysisSnapshot snapshot, AnalysisFilter filter)
    {
        _snapshot = snapshot;
        Filter = filter;
    }

    /// <summary>What the views keep: empty for everything; a study keeps its participants within its period.</summary>
    public AnalysisFilter Filter { get; }

    /// <summary>On a command's database (<see cref="StorageDatabase"/>).</summary>
    public static Task<AnalysisDataset> OpenAsync(StorageDatabase database, AnalysisFilter filter, Action<string, double> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        return OpenAsync(database.DataSource, filter, progress, cancellationToken);
    }

    /// <summary>
    /// Computes every view under <paramref name="filter"/> (an unknown study is an <see cref="ArgumentException"/>, as for the
    /// report); <paramref name="progress"/> hears each view's name and the seconds since the start.
    /// </summary>
    public static async Task<AnalysisDataset> OpenAsync(NpgsqlDataSource dataSource, AnalysisFilter filter, Action<string, double> progress, CancellationToken cancellationToken) =>
        new(await AnalysisSnapshot.TakeAsync(dataSource, filter, progress, cancellationToken), filter);

    /// <summary>Every view but <c>analysis.filter</c> and <c>analysis.fact_changed</c> (the settings in force; queries to recompute), with its columns, by name.</summary>
    public async Task<IReadOnlyList<DatasetView>> ViewsAsync(CancellationToken cancellationToken)
    {
        var rows = await _snapshot.Connection.QueryAsync(
            ColumnsSql,
            r => (View: r.GetString(0), ViewComment: r.Get<string>(1), Column: r.GetString(2), Type: r.GetString(3), ColumnComment: r.Get<string>(4)),
            _snapshot.Transaction,
            cancellationToken);
        return
        [
            .. rows.GroupBy(r => (r.View, r.ViewComment)).Select(view => new DatasetView(
                view.Key.View, view.Key.ViewComment ?? "",
                [.. view.Select(c => new DatasetColumn(c.Column, c.Type, c.ColumnComment ?? "", TextColumns.Contains(c.Column), IdentityColumns.Contains(c.Column)))])),
        ];
    }

    /// <summary>The rows of <paramref name="view"/>, only <paramref name="columns"/>, in that order; SQL NULL is null.</summary>
    public async IAsyncEnumerable<object?[]> RowsAsync(DatasetView view, IReadOnlyList<DatasetColumn> columns, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(columns);
        // Names come from the catalogue, quoted as identifiers; the rows from the view's temporary table.
        var sql = $"SELECT {string.Join(", ", columns.Select(c => SqlCommands.QuoteIdentifier(c.Name)))} FROM {AnalysisSnapshot.Relation(view.Name)}";
        await using var command = new NpgsqlCommand(sql, _snapshot.Connection, _snapshot.Transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i, cancellationToken) ? null : reader.GetValue(i);
            }

            yield return row;
        }
    }

    /// <summary>
    /// Records the export in <c>audit_log</c> (event type export, action dataset_exported, through
    /// <c>analysis.audit_dataset_export</c>, which adds the login) and ends the transaction. <paramref name="detailJson"/> is a
    /// JSON object: what was written, never a pseudonym's salt.
    /// </summary>
    public async Task CompleteAsync(string detailJson, CancellationToken cancellationToken)
    {
        await _snapshot.Connection.ExecuteAsync(AuditSql, _snapshot.Transaction, cancellationToken, SqlCommands.Param("Detail", detailJson));
        await _snapshot.CommitAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _snapshot.DisposeAsync();
}
