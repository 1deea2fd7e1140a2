using System.Text.Json;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.IntegrationTests.Telemetry;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres.Migrations;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Code4me.Lsp.Storage.Postgres.Users;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Storage;

/// <summary>
/// The per-event tables in monthly partitions on their UUIDv7 ids (0011): the writer's rows land in their month (or the
/// default partition), <c>data purge</c> drops the months wholly older than its cutoff and deletes the rest row by row,
/// leaving exactly what the row-by-row purge leaves, and the migration moves stored rows into their months and back.
/// </summary>
public sealed class TimePartitionTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset s_thisMonth = new(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_oldMonth = s_thisMonth.AddMonths(-3);
    private static readonly DateTimeOffset s_boundaryMonth = s_thisMonth.AddMonths(-2);
    private static readonly DateTimeOffset s_cutoff = s_boundaryMonth.AddDays(10);
    private static readonly TimeSpan s_olderThan = TimeSpan.FromDays(90);
    private static readonly DateTimeOffset s_farMonth = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const string PurgedTablesSql = "SELECT count(*)::int FROM pg_class WHERE relnamespace = 'telemetry_purged'::regnamespace AND relkind = 'r'";

    // Every partition of a table below meta_query with the table its month key (0014) references (NULL: none).
    private const string MonthKeysSql = """
        SELECT k.child, c.relname::text, k.parent,
               (SELECT f.confrelid::regclass::text FROM pg_constraint f WHERE f.conrelid = c.oid AND f.conname = k.name)
        FROM telemetry_month_keys() k JOIN pg_inherits i ON i.inhparent = k.child::regclass JOIN pg_class c ON c.oid = i.inhrelid
        """;

    // meta_query's keys on the split columns (0016) declared on or copied to a partition: name, column, referenced table.
    private const string SplitKeysSql = """
        SELECT k.conname::text, a.attname::text, k.confrelid::regclass::text
        FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
        WHERE k.conrelid = @Leaf::regclass AND k.contype = 'f' AND a.attname ~ '_(same|other)_month$'
        ORDER BY 1
        """;

    private const string RemainingSql = """
        SELECT (SELECT count(*) FROM meta_query) || ' queries, ' || (SELECT count(*) FROM context) || ' contexts, '
            || (SELECT count(*) FROM contextual_telemetry) || ' contextual, ' || (SELECT count(*) FROM behavioral_telemetry) || ' behavioral, '
            || (SELECT count(*) FROM completion_query) || ' completions, ' || (SELECT count(*) FROM had_generation) || ' generations, '
            || (SELECT count(*) FROM ground_truth) || ' truths, ' || (SELECT count(*) FROM generation_feedback) || ' feedback, '
            || (SELECT count(*) FROM completion_retention) || ' retention, ' || (SELECT count(*) FROM session) || ' sessions'
        """;

    private readonly XunitLoggerProvider _logs = new(output);

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task Purge_MonthsWhollyOlderThanTheCutoff_AreDroppedAndTheRestDeletedRowByRow_LeavingWhatTheRowByRowPurgeLeaves()
    {
        await using var partitioned = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var rowByRow = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var s = new SampleEvents("purge");
        var events = Study(s);
        foreach (var db in new[] { partitioned, rowByRow })
        {
            await db.ExecuteAsync("SELECT telemetry_partitions_ensure(now(), @From)", new { From = s_oldMonth });
            await WriteAsync(db, events);
        }

        var purged = await new UserDataRepository(partitioned.DataSource).PurgeAsync(s_olderThan, s_cutoff + s_olderThan, TimeoutToken.Create());
        var purgedRowByRow = await new UserDataRepository(rowByRow.DataSource) { DropsMonths = false }.PurgeAsync(s_olderThan, s_cutoff + s_olderThan, TimeoutToken.Create());

        Assert.Equal(3, purged);   // the old month's two, and the boundary month's one before the cutoff
        Assert.Equal(purgedRowByRow, purged);
        Assert.Equal("2 queries, 2 contexts, 2 contextual, 2 behavioral, 2 completions, 2 generations, 2 truths, 2 feedback, 2 retention, 1 sessions",
            await partitioned.ScalarAsync<string>(RemainingSql));
        Assert.Equal(await rowByRow.ScalarAsync<string>(RemainingSql), await partitioned.ScalarAsync<string>(RemainingSql));
        var old = Suffix(s_oldMonth);
        foreach (var table in await partitioned.QueryAsync<string>("SELECT unnest(telemetry_partitioned_tables())"))
        {
            Assert.Null(await partitioned.ScalarAsync<string?>("SELECT to_regclass(@Name)::text", new { Name = $"{table}_{old}" }));
            Assert.NotNull(await partitioned.ScalarAsync<string?>("SELECT to_regclass(@Name)::text", new { Name = $"{table}_{Suffix(s_boundaryMonth)}" }));
        }

        Assert.Equal(0, await partitioned.ScalarAsync<int>(PurgedTablesSql));
        var audit = JsonDocument.Parse(await partitioned.ScalarAsync<string>("SELECT detail::text FROM audit_log WHERE action = 'retention_purge'")).RootElement;
        Assert.Equal(3, audit.GetProperty("queries").GetInt32());
        Assert.Equal(new[] { old }, audit.GetProperty("months_dropped").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public async Task Purge_StoppedAfterItsTransaction_LeavesTheMonthOnlyInTelemetryPurged_WhichTheNextRunEmpties()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var s = new SampleEvents("aside");
        await db.ExecuteAsync("SELECT telemetry_partitions_ensure(now(), @From)", new { From = s_oldMonth });
        await WriteAsync(db, Study(s));
        var repository = new UserDataRepository(db.DataSource);

        var purged = await repository.PurgeRowsAsync(s_olderThan, s_cutoff + s_olderThan, TimeoutToken.Create());
        var aside = await db.ScalarAsync<int>(PurgedTablesSql);
        var remaining = await db.ScalarAsync<string>(RemainingSql);
        await repository.EnsurePartitionsAsync(TimeoutToken.Create());

        Assert.Equal(3, purged);
        Assert.Equal(11, aside);   // the old month of each per-event table, detached
        Assert.Equal("2 queries, 2 contexts, 2 contextual, 2 behavioral, 2 completions, 2 generations, 2 truths, 2 feedback, 2 retention, 1 sessions", remaining);
        Assert.Equal(0, await db.ScalarAsync<int>(PurgedTablesSql));
    }

    [Fact]
    public async Task Purge_MonthHoldingAQueryAtOrAfterTheCutoff_IsKeptAndPurgedRowByRow()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var s = new SampleEvents("skew");
        // A client whose clock ran ahead: the query's id is of the old month, its timestamp after the cutoff.
        var skewed = Query(s, s_oldMonth.AddDays(3), context: TimeSpan.Zero) with { OccurredAt = s_cutoff.AddDays(1) };
        await db.ExecuteAsync("SELECT telemetry_partitions_ensure(now(), @From)", new { From = s_oldMonth });
        await WriteAsync(db, [Session(s), Query(s, s_oldMonth.AddDays(2), TimeSpan.Zero), skewed]);

        var purged = await new UserDataRepository(db.DataSource).PurgeAsync(s_olderThan, s_cutoff + s_olderThan, TimeoutToken.Create());

        Assert.Equal(1, purged);
        Assert.Equal(skewed.QueryId, await db.ScalarAsync<Guid>("SELECT meta_query_id FROM meta_query"));
        Assert.Equal($"meta_query_{Suffix(s_oldMonth)}", await db.ScalarAsync<string>("SELECT tableoid::regclass::text FROM meta_query"));
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT jsonb_array_length(detail->'months_dropped') FROM audit_log WHERE action = 'retention_purge'"));
    }

    [Fact]
    public async Task DataPurgeAndPartitions_DatabaseAtPgBouncer_DropTheOldMonthInOneTransactionThroughThePooler()
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        await using var db = await bouncer.Postgres.CreateDatabaseAsync();
        var s = new SampleEvents("bouncer-purge");
        await db.ExecuteAsync("SELECT telemetry_partitions_ensure(now(), @From)", new { From = s_oldMonth });
        await WriteAsync(db, Study(s));
        // An age in whole hours whose cutoff falls in the boundary month's first hour: the old month is wholly older.
        var hours = (long)Math.Floor((DateTimeOffset.UtcNow - s_boundaryMonth).TotalHours);

        var purge = await CliRunner.RunAsync("data", "purge", "--older-than", $"{hours}h", "--database", bouncer.Through(db.ConnectionString));
        var partitions = await CliRunner.RunAsync("data", "partitions", "--database", bouncer.Through(db.ConnectionString));

        Assert.Equal((0, ""), (purge.ExitCode, purge.Error));
        Assert.StartsWith("Purged 2 queries ", purge.Out, StringComparison.Ordinal);   // the old month's two
        Assert.Null(await db.ScalarAsync<string?>("SELECT to_regclass(@Name)::text", new { Name = $"meta_query_{Suffix(s_oldMonth)}" }));
        Assert.Equal("3 queries, 3 contexts, 3 contextual, 3 behavioral, 3 completions, 3 generations, 3 truths, 3 feedback, 3 retention, 1 sessions",
            await db.ScalarAsync<string>(RemainingSql));
        Assert.Equal((0, ""), (partitions.ExitCode, partitions.Error));
        Assert.StartsWith("Created ", partitions.Out, StringComparison.Ordinal);
        // The purge left the report's kept fact rows to rebuild (0015); data partitions rebuilt them, through the pooler.
        Assert.Contains("Kept facts: rebuilt, 3 queries.", partitions.Out, StringComparison.Ordinal);
        Assert.True(await db.ScalarAsync<bool>("SELECT valid FROM analysis.fact_state"));
    }

    [Fact]
    public async Task Writer_RowsOfAMonthAndRowsOutsideEveryMonth_LandInTheirMonthAndInTheDefaultPartition()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var s = new SampleEvents("route");
        var now = Query(s, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1));
        var future = Query(s, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.Zero);

        await WriteAsync(db, [Session(s), now, future]);

        Assert.Equal(
            [$"meta_query_{Suffix(DateTimeOffset.UtcNow)}", "meta_query_default"],
            await db.QueryAsync<string>("SELECT tableoid::regclass::text FROM meta_query ORDER BY meta_query_id"));
        Assert.Equal(
            [$"had_generation_{Suffix(DateTimeOffset.UtcNow)}", "had_generation_default"],
            await db.QueryAsync<string>("SELECT DISTINCT ON (meta_query_id) tableoid::regclass::text FROM had_generation ORDER BY meta_query_id"));
    }

    [Fact]
    public async Task MonthKeys_EveryPartitionOfAQueryKeyedTable_ReferencesItsParentsMonthOrTheParent_AndAreEnforced()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var s = new SampleEvents("keys");
        var future = Query(s, s_farMonth.AddDays(3), TimeSpan.Zero);
        await WriteAsync(db, [Session(s), future]);
        // The far month is created where its default partition holds none of its rows: for ground_truth, feedback,
        // retention and the chat tables, not for meta_query, completion_query and had_generation.
        await db.ExecuteAsync("SELECT telemetry_partitions_ensure(@Month, @Month)", new { Month = s_farMonth });
        var later = s_farMonth.AddDays(3).AddSeconds(16);
        await WriteAsync(db, [
            new AcceptedEvent(Guid.CreateVersion7(later), later, future.QueryId, s.ModelA),
            new GroundTruthEvent(Guid.CreateVersion7(later), later, future.QueryId, 15, later, "a + b", "    return ", "\n"),
            new RetentionEvent(Guid.CreateVersion7(later), later, future.QueryId, s.ModelA, 15, 5, 4)]);

        var keys = await db.QueryAsync<(string Child, string Leaf, string Parent, string? Target)>(MonthKeysSql);
        var orphan = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync(
            "INSERT INTO completion_query (meta_query_id) VALUES (@Id)", new { Id = Guid.CreateVersion7(DateTimeOffset.UtcNow) }));
        var placed = await db.QueryAsync<string>("SELECT tableoid::regclass::text FROM ground_truth UNION ALL SELECT tableoid::regclass::text FROM meta_query ORDER BY 1");
        await db.ExecuteAsync("DELETE FROM meta_query WHERE meta_query_id = @Id", new { Id = future.QueryId });

        // Every month and the default of each of the seven tables, and of meta_query for its three same-month keys (0016), and
        // the far month of the five that have it.
        Assert.Equal((10 * await db.ScalarAsync<int>("SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'meta_query'::regclass")) + 5, keys.Count);
        var far = Suffix(s_farMonth);
        Assert.All(keys, k => Assert.Equal(
            k.Leaf.EndsWith("_default", StringComparison.Ordinal) || (k.Leaf.EndsWith(far, StringComparison.Ordinal) && k.Parent is "meta_query" or "completion_query" or "had_generation")
                ? k.Parent
                : k.Parent + k.Leaf[k.Child.Length..],
            k.Target));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, orphan.SqlState);
        Assert.Equal("completion_query_meta_query_fkey", orphan.ConstraintName);
        Assert.Equal([$"ground_truth_{far}", "meta_query_default"], placed);
        Assert.Equal("0 queries, 1 contexts, 1 contextual, 1 behavioral, 0 completions, 0 generations, 0 truths, 0 feedback, 0 retention, 1 sessions",
            await db.ScalarAsync<string>(RemainingSql));
    }

    [Fact]
    public async Task Migration0011_StoredRows_MoveIntoTheirMonthsUnchangedAndBackOnDown()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();
        var catalog = MigrationCatalog.Embedded;
        var at10 = new Migrator(db.DataSource, new MigrationCatalog(catalog.Migrations.Where(m => m.Version <= 10)));
        await at10.UpAsync(TimeoutToken.Create());
        var s = new SampleEvents("migrate");
        await WriteAsync(db, [.. Study(s), s.Shown, s.Accepted]);
        var before = await ContentsAsync(db);

        await new Migrator(db.DataSource, catalog).UpAsync(TimeoutToken.Create());
        var partitioned = await ContentsAsync(db);
        var placement = await db.QueryAsync<string>("SELECT DISTINCT tableoid::regclass::text FROM meta_query ORDER BY 1");
        await new Migrator(db.DataSource, catalog).DownAsync(10, TimeoutToken.Create());

        Assert.Equal(before, partitioned);
        Assert.Equal(before, await ContentsAsync(db));
        Assert.Equal([$"meta_query_{Suffix(s_oldMonth)}", $"meta_query_{Suffix(s_boundaryMonth)}", $"meta_query_{Suffix(s_thisMonth)}"], placement);
    }

    [Fact]
    public async Task ContextKeys_OfAMonthMadeLater_ReferenceItsMonth_AndRefuseAQueryNamingAMissingRowOfItsMonthOrAnother()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var month = s_thisMonth.AddMonths(4);   // beyond the two months ahead that the migration made
        var (session, project) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await db.ExecuteAsync("SELECT telemetry_partitions_ensure(@Month, @Month)", new { Month = month });
        await db.ExecuteAsync(
            "INSERT INTO project (project_id, project_name) VALUES (@Project, 'keys'); INSERT INTO session (session_id, start_time) VALUES (@Session, now())",
            new { Session = session, Project = project });
        var query = Guid.CreateVersion7(month.AddMonths(1).AddMilliseconds(-1));   // the month's last millisecond

        var refused = new List<string>();
        foreach (var column in new[] { "context_id", "contextual_telemetry_id", "behavioral_telemetry_id" })
        {
            foreach (var missing in new[] { Guid.CreateVersion7(month.AddDays(3)), Guid.CreateVersion7(month.AddMonths(1)) })   // of the query's month; of the next
            {
                var error = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync(
                    $"INSERT INTO meta_query (meta_query_id, {column}, session_id, project_id, \"timestamp\", query_type) VALUES (@Query, @Missing, @Session, @Project, now(), 'completion')",
                    new { Query = query, Missing = missing, Session = session, Project = project }));
                refused.Add($"{error.SqlState} {error.TableName} {error.ConstraintName}");
            }
        }

        var keys = await db.QueryAsync<(string Name, string Column, string Target)>(SplitKeysSql, new { Leaf = $"meta_query_{Suffix(month)}" });

        var leaf = $"meta_query_{Suffix(month)}";
        Assert.Equal(
            [
                $"23503 {leaf} meta_query_context_id_fkey", $"23503 {leaf} meta_query_context_id_other_month_fkey",
                $"23503 {leaf} meta_query_contextual_telemetry_id_fkey", $"23503 {leaf} meta_query_contextual_telemetry_id_other_month_fkey",
                $"23503 {leaf} meta_query_behavioral_telemetry_id_fkey", $"23503 {leaf} meta_query_behavioral_telemetry_id_other_month_fkey",
            ],
            refused);
        Assert.Equal(
            [
                ("meta_query_behavioral_telemetry_id_fkey", "behavioral_telemetry_id_same_month", $"behavioral_telemetry_{Suffix(month)}"),
                ("meta_query_behavioral_telemetry_id_other_month_fkey", "behavioral_telemetry_id_other_month", "behavioral_telemetry"),
                ("meta_query_context_id_fkey", "context_id_same_month", $"context_{Suffix(month)}"),
                ("meta_query_context_id_other_month_fkey", "context_id_other_month", "context"),
                ("meta_query_contextual_telemetry_id_fkey", "contextual_telemetry_id_same_month", $"contextual_telemetry_{Suffix(month)}"),
                ("meta_query_contextual_telemetry_id_other_month_fkey", "contextual_telemetry_id_other_month", "contextual_telemetry"),
            ],
            keys);
    }

    [Fact]
    public async Task ContextKeys_AQueryWhoseContextIsOfTheNextMonth_IsStored_AndTheContextCannotGoWhileTheQueryStays()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var s = new SampleEvents("edge");
        var nextMonth = s_thisMonth.AddMonths(1);
        // The query in this month's last millisecond; its context made half a second later, in the next month.
        var edge = Query(s, nextMonth.AddMilliseconds(-1), TimeSpan.FromMilliseconds(500));
        await WriteAsync(db, [Session(s), edge]);

        var split = await db.QueryAsync<(string, Guid?, Guid?, Guid?, Guid?)>("""
            SELECT tableoid::regclass::text, context_id_same_month, context_id_other_month, contextual_telemetry_id_same_month, behavioral_telemetry_id_other_month
            FROM meta_query
            """);
        var delete = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync("DELETE FROM context WHERE context_id = @Id", new { Id = edge.Context!.ContextId }));
        var detach = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync($"ALTER TABLE context DETACH PARTITION context_{Suffix(nextMonth)}"));
        await db.ExecuteAsync("DELETE FROM meta_query; DELETE FROM context");

        Assert.Equal([($"meta_query_{Suffix(s_thisMonth)}", null, edge.Context!.ContextId, edge.Contextual!.ContextualTelemetryId, null)], split);
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, delete.SqlState);
        Assert.StartsWith("meta_query_context_id_other_month_fkey", delete.ConstraintName, StringComparison.Ordinal);   // or its copy for the month
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, detach.SqlState);
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*)::int FROM context"));
    }

    [Fact]
    public async Task Purge_DetachingAMonth_ReadsNoneOfItsTables()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var s = new SampleEvents("detach");
        await db.ExecuteAsync("SELECT telemetry_partitions_ensure(now(), @From)", new { From = s_oldMonth });
        // The old month's last query uses a context of the boundary month; 300 more queries make the old month the larger
        // side of each DETACH's join, as a month is, so that the plan is the one a real month gets. Not vacuumed: reading a
        // row fetches it from the table, which PostgreSQL counts.
        await WriteAsync(db, [.. Study(s), .. Enumerable.Range(0, 300).Select(i => Query(s, s_oldMonth.AddDays(6).AddSeconds(i), TimeSpan.FromSeconds(1)))]);
        await db.ExecuteAsync("ANALYZE (SKIP_LOCKED)");   // not a bare word: Dapper would call it as a procedure
        var old = Suffix(s_oldMonth);

        await using var connection = await db.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        await using var transaction = await connection.BeginTransactionAsync(TimeoutToken.Create());
        var oids = (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT to_regclass(t || '_' || @Old)::oid::bigint FROM unnest(telemetry_partitioned_tables()) t", new { Old = old }, transaction,
            cancellationToken: TimeoutToken.Create()))).ToArray();
        // The rows this backend read of each of the month's tables and has not reported yet (pg_stat_xact_*: also those of
        // earlier transactions of a pooled connection, hence a difference).
        var read = new CommandDefinition(
            "SELECT relname::text, seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_all_tables WHERE relid::bigint = ANY (@Oids)",
            new { Oids = oids }, transaction, cancellationToken: TimeoutToken.Create());
        var before = (await connection.QueryAsync<(string Table, long Rows)>(read)).ToDictionary(r => r.Table, r => r.Rows);
        await UserDataRepository.DetachMonthsAsync(connection, transaction, [old], TimeoutToken.Create());
        var after = await connection.QueryAsync<(string Table, long Rows)>(read);

        Assert.Equal(11, before.Count);
        Assert.Equal(301, await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM telemetry_purged.context_{old}", transaction: transaction, cancellationToken: TimeoutToken.Create())));
        // Each DETACH's proof plans a join whose estimate probes the ends of the month's primary key (a row or two each); before
        // 0016 the proof of meta_query's key to the context month read every row of the month (301 here).
        Assert.All(after, r => Assert.True(r.Rows - before[r.Table] < 10, $"{r.Table}: {r.Rows - before[r.Table]} rows read"));
    }

    [Fact]
    public async Task Migration0016_StoredRows_AreSplitByMonthUnchanged_AndTheKeysOnTheTablesComeBackOnDown()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();
        var catalog = MigrationCatalog.Embedded;
        await new Migrator(db.DataSource, new MigrationCatalog(catalog.Migrations.Where(m => m.Version <= 15))).UpAsync(TimeoutToken.Create());
        var s = new SampleEvents("split");
        await db.ExecuteAsync("SELECT telemetry_partitions_ensure(now(), @From)", new { From = s_oldMonth });
        // Study's queries (one with its context in the next month) and one whose ids are all random (v4), of no month created.
        var random = s.Query with
        {
            EventId = Guid.NewGuid(), QueryId = Guid.NewGuid(), Context = s.Query.Context! with { ContextId = Guid.NewGuid() },
            Contextual = s.Query.Contextual! with { ContextualTelemetryId = Guid.NewGuid() },
            Behavioral = s.Query.Behavioral! with { BehavioralTelemetryId = Guid.NewGuid() },
        };
        await WriteAsync(db, [.. Study(s), random]);
        var before = await ContentsAsync(db);

        await new Migrator(db.DataSource, catalog).UpAsync(TimeoutToken.Create());
        var split = await db.ScalarAsync<string>("""
            SELECT format('%s/%s context, %s/%s contextual, %s/%s behavioral',
                count(context_id_same_month), count(context_id_other_month), count(contextual_telemetry_id_same_month),
                count(contextual_telemetry_id_other_month), count(behavioral_telemetry_id_same_month), count(behavioral_telemetry_id_other_month))
            FROM meta_query
            """);
        var after = await ContentsAsync(db);
        await new Migrator(db.DataSource, catalog).DownAsync(15, TimeoutToken.Create());

        Assert.Equal("4/2 context, 5/1 contextual, 5/1 behavioral", split);   // same month / another, each id in exactly one
        Assert.Equal(before, after);
        Assert.Equal(before, await ContentsAsync(db));
        Assert.Equal(
            ["meta_query_behavioral_telemetry_id_fkey", "meta_query_context_id_fkey", "meta_query_contextual_telemetry_id_fkey"],
            await db.QueryAsync<string>("""
                SELECT conname::text FROM pg_constraint WHERE conrelid = 'meta_query'::regclass AND confrelid IN ('context'::regclass,
                    'contextual_telemetry'::regclass, 'behavioral_telemetry'::regclass) ORDER BY 1
                """));
    }

    [Fact]
    public async Task Migration0017_ContextsWrittenAfter_CompressWithLz4InEveryMonthMadeBeforeOrAfter_RowsBeforeStayReadable()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();
        var catalog = MigrationCatalog.Embedded;
        await new Migrator(db.DataSource, new MigrationCatalog(catalog.Migrations.Where(m => m.Version <= 16))).UpAsync(TimeoutToken.Create());
        var s = new SampleEvents("lz4");
        // Code long enough for PostgreSQL to compress (over ~2 KB a row), as a context's prefix often is.
        var code = string.Concat(Enumerable.Range(0, 200).Select(i => $"    total += values[{i}] * weight\n"));
        CompletionQueryEvent LongQuery(DateTimeOffset at)
        {
            var query = Query(s, at, TimeSpan.FromSeconds(1));
            return query with { Context = query.Context! with { Prefix = code, Suffix = code } };
        }

        var before = LongQuery(DateTimeOffset.UtcNow.AddMinutes(-10));
        await WriteAsync(db, [Session(s), before]);

        await new Migrator(db.DataSource, catalog).UpAsync(TimeoutToken.Create());
        var later = s_thisMonth.AddMonths(4).AddDays(2);   // a month made after the migration
        await db.ExecuteAsync("SELECT telemetry_partitions_ensure(@Month, @Month)", new { Month = later });
        var now = LongQuery(DateTimeOffset.UtcNow.AddMinutes(-5));
        var far = LongQuery(later);
        await WriteAsync(db, [now, far]);

        const string CompressionSql = """
            SELECT pg_column_compression(prefix) || '/' || pg_column_compression(suffix) FROM context
            WHERE context_id = @Id AND prefix = @Code AND suffix = @Code
            """;
        Assert.Equal("pglz/pglz", await db.ScalarAsync<string>(CompressionSql, new { Id = before.Context!.ContextId, Code = code }));
        Assert.Equal("lz4/lz4", await db.ScalarAsync<string>(CompressionSql, new { Id = now.Context!.ContextId, Code = code }));
        Assert.Equal("lz4/lz4", await db.ScalarAsync<string>(CompressionSql, new { Id = far.Context!.ContextId, Code = code }));
        // Every relation of each table the migration names, the months made before it and after, and the change log.
        Assert.Equal([], await db.QueryAsync<string>("""
            SELECT t.relid::text || '.' || a.attname FROM (VALUES ('context'), ('ground_truth'), ('had_generation'), ('analysis.fact_changes')) v(name)
            CROSS JOIN LATERAL pg_partition_tree(v.name::regclass) t
            JOIN pg_attribute a ON a.attrelid = t.relid AND a.attname IN ('prefix', 'suffix', 'selected_text', 'ground_truth', 'context_before',
                                                                          'context_after', 'completion', 'logprobs', 'ids')
            WHERE a.attcompression <> 'l'
            """));
        Assert.Equal(3, await db.ScalarAsync<int>(
            "SELECT count(*)::int FROM meta_query mq JOIN completion_query cq USING (meta_query_id) JOIN context c ON c.context_id = mq.context_id WHERE c.prefix = @Code",
            new { Code = code }));

        await new Migrator(db.DataSource, catalog).DownAsync(16, TimeoutToken.Create());
        Assert.Equal("lz4/lz4", await db.ScalarAsync<string>(CompressionSql, new { Id = now.Context!.ContextId, Code = code }));
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*)::int FROM pg_attribute WHERE attrelid = 'context'::regclass AND attcompression = 'l'"));
        Assert.Equal(1, await db.ScalarAsync<int>("SELECT count(*)::int FROM pg_trigger WHERE tgname = 'meta_query_facts_insert' AND tgrelid = 'meta_query'::regclass"));
    }

    private static string Suffix(DateTimeOffset month) => $"y{month.UtcDateTime:yyyy}m{month.UtcDateTime:MM}";

    /// <summary>
    /// A session with two queries in the old month (the second in its last millisecond, its context made half a second
    /// later, in the next month), two in the boundary month (before and after the cutoff) and one this month, each with a
    /// ground truth, an acceptance and a retention measurement.
    /// </summary>
    private static List<TelemetryEvent> Study(SampleEvents s)
    {
        var times = new[]
        {
            (s_oldMonth.AddDays(5), TimeSpan.FromSeconds(1)),
            (s_boundaryMonth.AddMilliseconds(-1), TimeSpan.FromMilliseconds(500)),
            (s_boundaryMonth.AddDays(3), TimeSpan.FromSeconds(1)),
            (s_boundaryMonth.AddDays(20), TimeSpan.FromSeconds(1)),
            (DateTimeOffset.UtcNow.AddMinutes(-5), TimeSpan.FromSeconds(1)),
        };
        var events = new List<TelemetryEvent> { Session(s) };
        foreach (var (at, context) in times)
        {
            var query = Query(s, at, context);
            var later = at.AddSeconds(16);
            events.Add(query);
            events.Add(new AcceptedEvent(Guid.CreateVersion7(later), later, query.QueryId, s.ModelA));
            events.Add(new GroundTruthEvent(Guid.CreateVersion7(later), later, query.QueryId, 15, later, "a + b", "    return ", "\n"));
            events.Add(new RetentionEvent(Guid.CreateVersion7(later), later, query.QueryId, s.ModelA, 15, 5, 4));
        }

        return events;
    }

    private static SessionStartedEvent Session(SampleEvents s) => s.Session with { OccurredAt = s_oldMonth.AddDays(1) };

    /// <summary>A query of <paramref name="s"/>'s session made at <paramref name="at"/>, with one generation; its context is made <paramref name="context"/> later.</summary>
    private static CompletionQueryEvent Query(SampleEvents s, DateTimeOffset at, TimeSpan context) => s.Query with
    {
        EventId = Guid.CreateVersion7(at),
        OccurredAt = at,
        QueryId = Guid.CreateVersion7(at),
        Context = s.Query.Context! with { ContextId = Guid.CreateVersion7(at + context) },
        Contextual = s.Query.Contextual! with { ContextualTelemetryId = Guid.CreateVersion7(at) },
        Behavioral = s.Query.Behavioral! with { BehavioralTelemetryId = Guid.CreateVersion7(at) },
        Generations = [s.Query.Generations[0]],
    };

    private async Task WriteAsync(TestDatabase db, IEnumerable<TelemetryEvent> events)
    {
        await using var dataSource = await db.ConnectAsMemberOfAsync("code4me_writer");
        var writer = new PostgresTelemetryWriter(
            dataSource, new ReferenceData(dataSource), Options.Create(new Code4meStorageOptions()), new LoggerFactory([_logs]).CreateLogger<PostgresTelemetryWriter>());
        await writer.WriteAsync(SampleEvents.Records(events), TimeoutToken.Create());
        Assert.Equal(0, writer.SkippedCount);
    }

    /// <summary>Every row of every per-event table, as sorted JSON lines; without the columns PostgreSQL generates (0016).</summary>
    private static async Task<List<string>> ContentsAsync(TestDatabase db) => await db.QueryAsync<string>("""
        SELECT 'context ' || to_jsonb(x)::text FROM context x
        UNION ALL SELECT 'contextual_telemetry ' || to_jsonb(x)::text FROM contextual_telemetry x
        UNION ALL SELECT 'behavioral_telemetry ' || to_jsonb(x)::text FROM behavioral_telemetry x
        UNION ALL SELECT 'meta_query ' || (to_jsonb(x) - (SELECT coalesce(array_agg(attname::text), '{}') FROM pg_attribute
                                                           WHERE attrelid = 'meta_query'::regclass AND attgenerated <> '' AND NOT attisdropped))::text
                  FROM meta_query x
        UNION ALL SELECT 'completion_query ' || to_jsonb(x)::text FROM completion_query x
        UNION ALL SELECT 'had_generation ' || to_jsonb(x)::text FROM had_generation x
        UNION ALL SELECT 'ground_truth ' || to_jsonb(x)::text FROM ground_truth x
        UNION ALL SELECT 'generation_feedback ' || to_jsonb(x)::text FROM generation_feedback x
        UNION ALL SELECT 'completion_retention ' || to_jsonb(x)::text FROM completion_retention x
        ORDER BY 1
        """);
}
