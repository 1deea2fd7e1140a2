using System.Data;
using System.Runtime.CompilerServices;
using Dapper;
using Npgsql;

namespace Code4me.Lsp.Storage.Postgres.Analysis;

/// <summary>
/// The analysis views (migration 0010) as a dataset: their columns with types and COMMENTs, and their rows, all read in one
/// read-only, repeatable-read transaction (one snapshot for every file of an export). Open it, read, dispose.
/// Works as the owner or as a member of code4me_analyst.
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
        WHERE n.nspname = 'analysis' AND c.relkind = 'v' AND c.relname <> 'filter'
        ORDER BY c.relname, a.attnum
        """;

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private AnalysisDataset(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    /// <summary>On a command's database (<see cref="StorageDatabase"/>).</summary>
    public static Task<AnalysisDataset> OpenAsync(StorageDatabase database, CancellationToken cancellationToken) =>
        OpenAsync(database.DataSource, cancellationToken);

    public static async Task<AnalysisDataset> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("SET TRANSACTION READ ONLY", transaction: transaction, cancellationToken: cancellationToken));
            return new AnalysisDataset(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every view but <c>analysis.filter</c>, with its columns, by name.</summary>
    public async Task<IReadOnlyList<DatasetView>> ViewsAsync(CancellationToken cancellationToken)
    {
        var rows = await _connection.QueryAsync<(string View, string? ViewComment, string Column, string Type, string? ColumnComment)>(
            new CommandDefinition(ColumnsSql, transaction: _transaction, cancellationToken: cancellationToken));
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
        // Names come from the catalogue, quoted as identifiers.
        var sql = $"SELECT {string.Join(", ", columns.Select(c => Quote(c.Name)))} FROM analysis.{Quote(view.Name)}";
        await using var command = new NpgsqlCommand(sql, _connection, _transaction);
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

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
