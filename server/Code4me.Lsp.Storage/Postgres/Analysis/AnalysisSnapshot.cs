using System.Data;
using System.Diagnostics;
using System.Globalization;
using Code4me.Lsp.Storage.Postgres.Studies;
using Npgsql;

namespace Code4me.Lsp.Storage.Postgres.Analysis;

/// <summary>
/// Every analysis view computed once, in one transaction, into a temporary table of the same name (<c>pg_temp.&lt;view&gt;</c>,
/// <c>ON COMMIT DROP</c>): the queries of <c>analysis.definitions</c> (migration 0012) in their order, each over the temporary
/// tables of its sources, so a fact view is computed once per run instead of once per aggregate that reads it. First, in a
/// transaction of its own, the kept fact rows are brought up to date (<c>analysis.facts_refresh()</c>, migration 0015): a
/// fact view then reads them and computes only the queries written since; unfiltered, it is a temporary view over its kept
/// rows and those queries, rather than a copy (dropped with the tables it reads). The filter is the transaction's
/// <c>analysis.*</c> settings; one repeatable-read snapshot serves every table. Nothing outlives the transaction and nothing
/// needs the session after it, so it works through PgBouncer's transaction pooling, as the owner or as a member of
/// <c>code4me_analyst</c> (PostgreSQL's default TEMP privilege). Read with <see cref="Relation"/>, then commit or dispose.
/// </summary>
internal sealed class AnalysisSnapshot : IAsyncDisposable
{
    // Transaction-local. jit: compiling each big statement costs ~1 s and saves less. work_mem: the aggregates' hashes and
    // sorts (percentiles) stay in memory. Nested loops stay allowed: the fact views compute the queries written since the
    // refresh by index lookups (0015); the views read the kept rows and the temporary tables whole.
    private const string SettingsSql = """
        SELECT set_config('analysis.since', @Since, true), set_config('analysis.until', @Until, true),
               set_config('analysis.model', @Model, true), set_config('analysis.language', @Language, true),
               set_config('analysis.participant', @Participant, true), set_config('analysis.study', @Study, true),
               set_config('jit', 'off', true), set_config('work_mem', '64MB', true)
        """;

    /// <summary>The progress step of bringing the kept fact rows up to date, before the views.</summary>
    public const string RefreshStep = "facts_refresh()";

    // Kept: a fact view that reads kept rows (0015: fact_changed is one of its sources); Changed: its SQL over the queries
    // written since the refresh, unfiltered.
    private const string DefinitionsSql = """
        SELECT view_name AS "View",
               format(query, VARIADIC ARRAY(SELECT 'pg_temp.' || quote_ident(s) FROM unnest(sources) WITH ORDINALITY AS u(s, i) ORDER BY i)) AS "Query",
               'fact_changed' = ANY (sources) AS "Kept",
               CASE WHEN 'fact_changed' = ANY (sources)
                    THEN analysis.fact_sql(view_name, 'pg_temp.fact_changed', false, (SELECT 'pg_temp.' || quote_ident(s) FROM unnest(sources) s WHERE s <> 'fact_changed'))
               END AS "Changed"
        FROM analysis.definitions
        ORDER BY position
        """;

    // The transaction's first statement, before its snapshot is taken: a rebuild (or a purge emptying the kept tables)
    // TRUNCATEs them, which is not MVCC-safe: a snapshot taken before it committed would read them empty. Holding them
    // in ACCESS SHARE mode from here on, the snapshot is taken after any TRUNCATE that committed and none can come until
    // the transaction ends (LOCK itself takes no snapshot; reading the tables needs SELECT, which the analyst has).
    private const string LockKeptSql =
        "LOCK TABLE analysis.kept_completion_queries, analysis.kept_completion_generations, analysis.kept_retention_measurements IN ACCESS SHARE MODE";

    // In this snapshot, the kept rows are whole (a purge may have come between the refresh and the snapshot).
    private const string KeptValidSql = "SELECT valid FROM analysis.fact_state";

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private AnalysisSnapshot(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<string> views)
    {
        _connection = connection;
        _transaction = transaction;
        Views = views;
    }

    /// <summary>The views computed, in the order of <c>analysis.definitions</c>.</summary>
    public IReadOnlyList<string> Views { get; }

    public NpgsqlConnection Connection => _connection;

    public NpgsqlTransaction Transaction => _transaction;

    /// <summary>
    /// Opens a transaction and computes every view under <paramref name="filter"/>; <paramref name="progress"/> hears each
    /// view's name and the seconds since the start before it is computed. <paramref name="refresh"/>: bring the kept fact
    /// rows up to date first (the views are exact either way; without it they compute every query logged since).
    /// </summary>
    public static async Task<AnalysisSnapshot> TakeAsync(
        NpgsqlDataSource dataSource, AnalysisFilter filter, Action<string, double> progress, CancellationToken cancellationToken, bool refresh = true)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(progress);
        var clock = Stopwatch.StartNew();
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            if (filter.Study is { } study)
            {
                // An unknown study is a mistake to name, not an empty report (the views would raise only once they read a
                // row), and is said before anything is computed.
                await StudyRepository.IdAsync(connection, null, study, cancellationToken);
            }

            if (refresh)
            {
                progress(RefreshStep, clock.Elapsed.TotalSeconds);
                // Its own transaction: the refresh commits, and the snapshot below then sees the kept rows it wrote.
                await RefreshKeptFactsAsync(connection, cancellationToken);
            }

            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            await connection.ExecuteAsync(LockKeptSql, transaction, cancellationToken);
            await connection.ExecuteAsync(
                SettingsSql,
                transaction,
                cancellationToken,
                SqlCommands.Param("Since", Instant(filter.Since)),
                SqlCommands.Param("Until", Instant(filter.Until)),
                SqlCommands.Param("Model", filter.Model ?? ""),
                SqlCommands.Param("Language", filter.Language ?? ""),
                SqlCommands.Param("Participant", filter.Participant?.ToString("D") ?? ""),
                SqlCommands.Param("Study", filter.Study ?? ""));
            var definitions = await connection.QueryAsync(
                DefinitionsSql,
                r => (View: r.GetString(0), Query: r.GetString(1), Kept: r.GetBoolean(2), Changed: r.IsDBNull(3) ? null : r.GetString(3)),
                transaction,
                cancellationToken);
            var readKept = filter.IsEmpty && await connection.ScalarAsync<bool>(KeptValidSql, transaction, cancellationToken);
            foreach (var (view, query, kept, changed) in definitions)
            {
                progress(view, clock.Elapsed.TotalSeconds);
                // The queries are the views' own SQL from analysis.definitions and analysis.fact_sql (owner-written); names are quoted.
                await using var create = new NpgsqlCommand(
                    kept && readKept ? KeptFactViewSql(view, changed!) : $"CREATE TEMPORARY TABLE {Relation(view)} ON COMMIT DROP AS {query}; ANALYZE {Relation(view)}",
                    connection,
                    transaction)
                {
                    CommandTimeout = 0,
                };
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            return new AnalysisSnapshot(connection, transaction, [.. definitions.Select(d => d.View)]);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Brings the kept fact rows up to date (<c>analysis.facts_refresh()</c>, 0015), outside any transaction of the caller's:
    /// whether it rebuilt them (after a purge, or the first time: as long as a report took before 0015, so no timeout), and
    /// how many queries it computed.
    /// </summary>
    public static async Task<(bool Rebuilt, long Queries)> RefreshKeptFactsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var refresh = new NpgsqlCommand("SELECT rebuilt, queries FROM analysis.facts_refresh()", connection) { CommandTimeout = 0 };
        await using var reader = await refresh.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetBoolean(0), reader.GetInt64(1));
    }

    /// <summary>
    /// Unfiltered, with the kept rows whole, a fact view is its kept rows but those of the queries written since the refresh,
    /// and those queries computed now, into a small temporary table: a temporary view reads both where they lie instead of
    /// copying a million rows (it equals the view's own SQL, which does the same under a filter that keeps everything). It
    /// reads tables dropped at commit, and is dropped with them (a cascade).
    /// </summary>
    private static string KeptFactViewSql(string view, string changedQueries)
    {
        var changed = Relation("changed_" + view);
        return $"""
            CREATE TEMPORARY TABLE {changed} ON COMMIT DROP AS {changedQueries};
            ANALYZE {changed};
            CREATE TEMPORARY VIEW {Relation(view)} AS
                SELECT * FROM analysis.{SqlCommands.QuoteIdentifier("kept_" + view)}
                WHERE query_id NOT IN (SELECT c.query_id FROM pg_temp.fact_changed c WHERE c.query_id IS NOT NULL)
                UNION ALL
                SELECT * FROM {changed};
            """;
    }

    /// <summary>The temporary table (a temporary view for an unfiltered fact view) that holds <paramref name="view"/>'s rows: <c>pg_temp."view"</c>.</summary>
    public static string Relation(string view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return "pg_temp." + SqlCommands.QuoteIdentifier(view);
    }

    /// <summary>Ends the transaction (dropping the tables); what was written in it, such as an audit row, is kept.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => _transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private static string Instant(DateTimeOffset? value) => value?.ToString("O", CultureInfo.InvariantCulture) ?? "";
}
