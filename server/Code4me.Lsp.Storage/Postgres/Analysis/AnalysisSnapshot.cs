using System.Data;
using System.Diagnostics;
using System.Globalization;
using Code4me.Lsp.Storage.Postgres.Studies;
using Npgsql;

namespace Code4me.Lsp.Storage.Postgres.Analysis;

/// <summary>
/// Every analysis view computed once, in one transaction, into a temporary table of the same name (<c>pg_temp.&lt;view&gt;</c>,
/// <c>ON COMMIT DROP</c>): the queries of <c>analysis.definitions</c> (migration 0012) in their order, each over the temporary
/// tables of its sources, so a fact view is computed once per run instead of once per aggregate that reads it. The filter is
/// the transaction's <c>analysis.*</c> settings; one repeatable-read snapshot serves every table. Nothing outlives the
/// transaction and nothing needs the session after it, so it works through PgBouncer's transaction pooling, as the owner or
/// as a member of <c>code4me_analyst</c> (PostgreSQL's default TEMP privilege). Read with <see cref="Relation"/>, then dispose.
/// First, in a transaction of its own, the kept fact rows are brought up to date (<c>analysis.facts_refresh()</c>, migration
/// 0015), so the fact views read them and compute only the queries written since, whatever the snapshot sees.
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

    private const string DefinitionsSql = """
        SELECT view_name AS "View",
               format(query, VARIADIC ARRAY(SELECT 'pg_temp.' || quote_ident(s) FROM unnest(sources) WITH ORDINALITY AS u(s, i) ORDER BY i)) AS "Query"
        FROM analysis.definitions
        ORDER BY position
        """;

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
    /// view's name and the seconds since the start before it is computed.
    /// </summary>
    public static async Task<AnalysisSnapshot> TakeAsync(NpgsqlDataSource dataSource, AnalysisFilter filter, Action<string, double> progress, CancellationToken cancellationToken)
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

            progress(RefreshStep, clock.Elapsed.TotalSeconds);
            // Its own transaction: the refresh commits, and the snapshot below then sees the kept rows it wrote. Rebuilding
            // them (after a purge, or the first time) takes as long as a report did before 0015: no timeout.
            await using (var refresh = new NpgsqlCommand("SELECT rebuilt, queries FROM analysis.facts_refresh()", connection) { CommandTimeout = 0 })
            {
                await refresh.ExecuteNonQueryAsync(cancellationToken);
            }

            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
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
            var definitions = await connection.QueryAsync(DefinitionsSql, r => (View: r.GetString(0), Query: r.GetString(1)), transaction, cancellationToken);
            foreach (var (view, query) in definitions)
            {
                progress(view, clock.Elapsed.TotalSeconds);
                var table = Relation(view);
                // The query is the view's own SQL from analysis.definitions (owner-written); the name is quoted.
                await using var create = new NpgsqlCommand($"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS {query}; ANALYZE {table}", connection, transaction)
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

    /// <summary>The temporary table that holds <paramref name="view"/>'s rows: <c>pg_temp."view"</c>.</summary>
    public static string Relation(string view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return "pg_temp.\"" + view.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
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
