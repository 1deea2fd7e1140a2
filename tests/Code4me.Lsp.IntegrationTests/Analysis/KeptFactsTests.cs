using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage.Postgres.Analysis;
using Code4me.Lsp.Storage.Postgres.Users;
using Dapper;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Analysis;

/// <summary>
/// The kept fact rows (migration 0015): the fact views read them for every query not in the change log and compute the
/// rest from the base tables, so at every moment (refreshed or not, after late events written through the real writer, a
/// deletion, a purge) each equals its SQL over the base tables row for row; a refresh recomputes exactly the queries logged,
/// and no kept row outlives the data it was computed from.
/// </summary>
public sealed class KeptFactsTests
{
    private static readonly string[] s_factViews = ["completion_queries", "completion_generations", "retention_measurements"];

    // The SQL of each fact view over every query, filtered (analysis.fact_sql with no scope: what the views computed
    // before 0015), each reading the one before it.
    private const string ReferenceSql = """
        WITH q AS (SELECT analysis.fact_sql('completion_queries', NULL, true) AS sql),
             g AS (SELECT analysis.fact_sql('completion_generations', NULL, true, '(' || q.sql || ')') AS sql FROM q)
        SELECT q.sql, g.sql, analysis.fact_sql('retention_measurements', NULL, true, '(' || g.sql || ')') FROM q, g
        """;

    private const string StateSql = "SELECT valid FROM analysis.fact_state";
    private const string ChangedSql = "SELECT count(*)::int FROM analysis.fact_changed";
    private const string KeptSql = """
        SELECT (SELECT count(*) FROM analysis.kept_completion_queries) + (SELECT count(*) FROM analysis.kept_completion_generations)
             + (SELECT count(*) FROM analysis.kept_retention_measurements)
        """;

    [Fact]
    public async Task Views_AfterLateEventsADeletionAndAPurge_EqualTheirSqlRowForRow_AndARefreshComputesOnlyTheLoggedQueries()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        // March 2025 in a month of its own, so the purge below drops it whole (a DETACH, which runs no trigger).
        await db.ExecuteAsync("SELECT telemetry_partitions_ensure('2025-04-01', '2025-03-01')");
        var analyst = NpgsqlDataSource.Create(await db.CreateLoginAsync("code4me_analyst"));
        await using var _ = analyst;
        var installations = StudySeed.Installations(await db.ConnectAsMemberOfAsync("code4me_writer"));

        // The queries first, as an editor's server writes them on answering; the kept rows are built from them.
        foreach (var (writer, records) in installations)
        {
            await writer.WriteAsync([.. records.Where(r => r.Event is SessionStartedEvent or CompletionQueryEvent)], TimeoutToken.Create());
        }

        Assert.False(await db.ScalarAsync<bool>(StateSql));
        Assert.Equal(StudySeed.Queries, await AssertViewsEqualTheirSqlAsync(analyst, "before any refresh"));
        Assert.Equal((true, StudySeed.Queries), await RefreshAsync(analyst));
        Assert.True(await db.ScalarAsync<bool>(StateSql));
        Assert.Equal(0, await db.ScalarAsync<int>(ChangedSql));
        await AssertViewsEqualTheirSqlAsync(analyst, "after the rebuild");

        // Then what happens to them later, one installation at a time: displays and acceptances (an UPDATE of
        // had_generation), feedback, retention and ground truth, through the writer. Only those queries are logged and
        // recomputed; the views are exact before the refresh too.
        foreach (var (writer, records) in installations)
        {
            var later = records.Where(r => r.Event is not (SessionStartedEvent or CompletionQueryEvent)).ToList();
            await writer.WriteAsync(later, TimeoutToken.Create());
            var touched = later.Select(r => QueryOf(r.Event)).Distinct().Count();
            Assert.InRange(touched, 1, StudySeed.Queries / 2);
            Assert.Equal(touched, await db.ScalarAsync<int>(ChangedSql));
            Assert.Equal(StudySeed.Queries, await AssertViewsEqualTheirSqlAsync(analyst, "late events, not refreshed"));
            await AssertUnfilteredSnapshotEqualsTheSqlAsync(analyst, touched);
            Assert.Equal((false, touched), await RefreshAsync(analyst));
            Assert.Equal(0, await db.ScalarAsync<int>(ChangedSql));
            await AssertViewsEqualTheirSqlAsync(analyst, "late events, refreshed");
        }

        Assert.Equal((false, 0), await RefreshAsync(analyst));

        // A deleted installation's kept rows go in the deleting transaction, before any refresh.
        var deleted = installations[1].Writer.InstallationId!.Value;
        var repository = new UserDataRepository(db.DataSource);
        Assert.True(await repository.DeleteInstallationAsync(deleted, TimeoutToken.Create()) > 0);
        Assert.Equal(0L, await db.ScalarAsync<long>(
            "SELECT count(*) FROM analysis.kept_completion_queries WHERE installation_id = @Deleted", new { Deleted = deleted }));
        Assert.Equal(0L, await db.ScalarAsync<long>("""
            SELECT count(*) FROM analysis.kept_completion_generations g
            WHERE NOT EXISTS (SELECT FROM analysis.kept_completion_queries q WHERE q.query_id = g.query_id)
            """));
        Assert.Equal(StudySeed.Queries / 2, await AssertViewsEqualTheirSqlAsync(analyst, "an installation deleted"));
        Assert.False((await RefreshAsync(analyst)).Rebuilt);
        await AssertViewsEqualTheirSqlAsync(analyst, "an installation deleted, refreshed");
        Assert.True(await db.ScalarAsync<long>(KeptSql) > 0);

        // A purge detaches the month: the kept rows stop counting at once, and are emptied with the month's files.
        Assert.True(await repository.PurgeRowsAsync(TimeSpan.FromDays(30), new DateTimeOffset(2025, 5, 1, 0, 0, 0, TimeSpan.Zero), TimeoutToken.Create()) > 0);
        Assert.False(await db.ScalarAsync<bool>(StateSql));
        Assert.Equal(0, await AssertViewsEqualTheirSqlAsync(analyst, "purged, months not yet dropped"));
        await repository.DropPurgedMonthsAsync(TimeoutToken.Create());
        Assert.Equal(0L, await db.ScalarAsync<long>(KeptSql));
        Assert.Equal((true, 0), await RefreshAsync(analyst));
        Assert.True(await db.ScalarAsync<bool>(StateSql));
    }

    [Fact]
    public async Task DeletingAUser_WhoseQueriesStay_DeletesTheirKeptRowsInTheSameTransaction()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await StudySeed.WriteAsync(db, TimeoutToken.Create());
        var analyst = NpgsqlDataSource.Create(await db.CreateLoginAsync("code4me_analyst"));
        await using var _ = analyst;
        var user = Guid.NewGuid();
        await db.ExecuteAsync("""INSERT INTO "user" (user_id, email, name, password) VALUES (@User, 'kept@example.org', 'kept', '$argon2id$test')""", new { User = user });
        await db.ExecuteAsync("UPDATE meta_query SET user_id = @User WHERE query_type = 'completion'", new { User = user });
        Assert.True((await RefreshAsync(analyst)).Rebuilt);
        Assert.Equal(StudySeed.Queries, await db.ScalarAsync<long>("SELECT count(*) FROM analysis.kept_completion_queries WHERE user_id = @User", new { User = user }));

        // The user's queries stay, anonymous (meta_query.user_id ON DELETE SET NULL, an UPDATE PostgreSQL makes): no kept
        // row names the user once the deleting transaction commits, refreshed or not.
        await db.ExecuteAsync("""DELETE FROM "user" WHERE user_id = @User""", new { User = user });
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM analysis.kept_completion_queries WHERE user_id = @User", new { User = user }));
        Assert.Equal(StudySeed.Queries, await AssertViewsEqualTheirSqlAsync(analyst, "a user deleted, queries kept"));
        Assert.Equal((false, StudySeed.Queries), await RefreshAsync(analyst));
        Assert.Equal(StudySeed.Queries, await AssertViewsEqualTheirSqlAsync(analyst, "a user deleted, refreshed"));
    }

    [Fact]
    public async Task AQueryWrittenBeforeItsCompletionRow_IsLoggedByThatRow_AndTheViewsStayExactThroughout()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await StudySeed.WriteAsync(db, TimeoutToken.Create());
        var analyst = NpgsqlDataSource.Create(await db.CreateLoginAsync("code4me_analyst"));
        await using var _ = analyst;
        Assert.True((await RefreshAsync(analyst)).Rebuilt);
        var query = Guid.CreateVersion7();
        var columns = await db.ScalarAsync<string>("""
            SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
            WHERE attrelid = 'meta_query'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' AND attname <> 'meta_query_id'
            """);

        // A query of its own, in a transaction of its own: no fact row can name it without its completion_query row, so
        // meta_query has no insert trigger (0017) and nothing is logged.
        await db.ExecuteAsync(
            $"INSERT INTO meta_query (meta_query_id, {columns}) SELECT @Query, {columns} FROM meta_query WHERE query_type = 'completion' LIMIT 1",
            new { Query = query });
        Assert.Equal(0, await db.ScalarAsync<int>(ChangedSql));
        Assert.Equal(StudySeed.Queries, await AssertViewsEqualTheirSqlAsync(analyst, "a query without its completion row"));

        // Its completion row, later: that row's insert logs the query, and the views count it before any refresh.
        await db.ExecuteAsync("INSERT INTO completion_query (meta_query_id) VALUES (@Query)", new { Query = query });
        Assert.Equal(1, await db.ScalarAsync<int>(ChangedSql));
        Assert.Equal(StudySeed.Queries + 1, await AssertViewsEqualTheirSqlAsync(analyst, "its completion row, not refreshed"));
        Assert.Equal((false, 1), await RefreshAsync(analyst));
        Assert.Equal(StudySeed.Queries + 1, await AssertViewsEqualTheirSqlAsync(analyst, "its completion row, refreshed"));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM analysis.kept_completion_queries WHERE query_id = @Query", new { Query = query }));
    }

    [Theory]
    [InlineData("TRUNCATE ground_truth")]
    [InlineData("UPDATE session SET installation_id = gen_random_uuid()")]
    [InlineData("UPDATE model_name SET model_name = model_name || '-renamed'")]
    public async Task Refresh_AfterAChangeTheLogCannotDescribe_RebuildsAndTheViewsStayExact(string change)
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await StudySeed.WriteAsync(db, TimeoutToken.Create());
        var analyst = NpgsqlDataSource.Create(await db.CreateLoginAsync("code4me_analyst"));
        await using var _ = analyst;
        Assert.True((await RefreshAsync(analyst)).Rebuilt);

        await db.ExecuteAsync(change);

        Assert.False(await db.ScalarAsync<bool>(StateSql));
        Assert.Equal(StudySeed.Queries, await AssertViewsEqualTheirSqlAsync(analyst, change));
        Assert.True((await RefreshAsync(analyst)).Rebuilt);
        await AssertViewsEqualTheirSqlAsync(analyst, change + ", rebuilt");
    }

    [Fact]
    public async Task Privileges_AnalystRefreshes_WriterNeitherRefreshesNorReadsTheLog()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var writer = await db.ConnectAsMemberOfAsync("code4me_writer");
        await using var connection = await writer.OpenConnectionAsync(TimeoutToken.Create());
        foreach (var sql in new[] { "SELECT analysis.facts_refresh()", "SELECT count(*) FROM analysis.fact_changes", "SELECT analysis.facts_invalidate()" })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: TimeoutToken.Create())));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }

        var analyst = NpgsqlDataSource.Create(await db.CreateLoginAsync("code4me_analyst"));
        await using var _ = analyst;
        Assert.Equal((true, 0), await RefreshAsync(analyst));
    }

    private static Guid QueryOf(TelemetryEvent e) => e switch
    {
        ShownEvent shown => shown.QueryId,
        AcceptedEvent accepted => accepted.QueryId,
        RejectedEvent rejected => rejected.QueryId,
        PartialAcceptEvent partial => partial.QueryId,
        RetentionEvent retention => retention.QueryId,
        GroundTruthEvent truth => truth.QueryId,
        _ => throw new ArgumentException($"{e.GetType().Name} is not about a query", nameof(e)),
    };

    // A report's snapshot, unfiltered and not refreshed (the logged queries still to compute): each fact view is a temporary
    // view over its kept rows and those queries, computed apart, and equals its SQL row for row.
    private static async Task AssertUnfilteredSnapshotEqualsTheSqlAsync(NpgsqlDataSource analyst, int logged)
    {
        await using var snapshot = await AnalysisSnapshot.TakeAsync(analyst, new AnalysisFilter(), (_, _) => { }, TimeoutToken.Create(), refresh: false);
        var references = await snapshot.Connection.QuerySingleAsync<(string, string, string)>(new CommandDefinition(
            ReferenceSql, transaction: snapshot.Transaction, cancellationToken: TimeoutToken.Create()));
        string[] sql = [references.Item1, references.Item2, references.Item3];
        Assert.Equal(logged, await snapshot.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM {AnalysisSnapshot.Relation("fact_changed")}", transaction: snapshot.Transaction, cancellationToken: TimeoutToken.Create())));
        for (var i = 0; i < s_factViews.Length; i++)
        {
            var relation = AnalysisSnapshot.Relation(s_factViews[i]);
            Assert.Equal("v", await snapshot.Connection.ExecuteScalarAsync<string>(new CommandDefinition(
                $"SELECT relkind::text FROM pg_class WHERE oid = '{relation}'::regclass", transaction: snapshot.Transaction, cancellationToken: TimeoutToken.Create())));
            var differing = await snapshot.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
                BaseTables.DifferingRowsSql($"SELECT * FROM {relation}", sql[i]), transaction: snapshot.Transaction, cancellationToken: TimeoutToken.Create()));
            Assert.True(differing == 0, $"the snapshot's {s_factViews[i]} differs from its SQL in {differing} rows");
        }

        await snapshot.CommitAsync(TimeoutToken.Create());
    }

    private static async Task<(bool Rebuilt, int Queries)> RefreshAsync(NpgsqlDataSource analyst)
    {
        await using var connection = await analyst.OpenConnectionAsync(TimeoutToken.Create());
        return await connection.QuerySingleAsync<(bool, int)>(new CommandDefinition(
            "SELECT rebuilt, queries::int FROM analysis.facts_refresh()", cancellationToken: TimeoutToken.Create()));
    }

    // Each fact view, unfiltered and under a language filter, against its SQL: rows in one and not the other, either way,
    // counting duplicates. Returns how many completion queries the unfiltered view holds (a comparison over none proves nothing).
    private static async Task<long> AssertViewsEqualTheirSqlAsync(NpgsqlDataSource analyst, string when)
    {
        await using var connection = await analyst.OpenConnectionAsync(TimeoutToken.Create());
        var references = await connection.QuerySingleAsync<(string, string, string)>(new CommandDefinition(ReferenceSql, cancellationToken: TimeoutToken.Create()));
        string[] sql = [references.Item1, references.Item2, references.Item3];
        foreach (var language in new[] { "", "python" })
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT set_config('analysis.language', @Language, false)", new { Language = language }, cancellationToken: TimeoutToken.Create()));
            for (var i = 0; i < s_factViews.Length; i++)
            {
                var differing = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    BaseTables.DifferingRowsSql($"SELECT * FROM analysis.{s_factViews[i]}", sql[i]), cancellationToken: TimeoutToken.Create()));
                Assert.True(differing == 0, $"{when}: analysis.{s_factViews[i]} (language '{language}') differs from its SQL in {differing} rows");
            }
        }

        await connection.ExecuteAsync(new CommandDefinition("SELECT set_config('analysis.language', '', false)", cancellationToken: TimeoutToken.Create()));
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM analysis.completion_queries", cancellationToken: TimeoutToken.Create()));
    }
}
