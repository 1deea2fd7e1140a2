using System.Diagnostics;
using System.Globalization;
using Code4me.Lsp.Storage.Postgres.Migrations;
using Code4me.Lsp.Storage.Postgres.Users;
using Npgsql;

namespace Code4me.Lsp.Benchmarks;

/// <summary>
/// <c>data purge</c> of a month of data: on the store before the time partitions (schema 10: one DELETE per table over
/// the doomed rows, as before 0011) against the partitioned store (0011 with 0014's month keys: the month's partitions
/// detached and the rest deleted row by row in the purge's transaction, then the detached month dropped in a second;
/// both steps timed), on the same rows. A throwaway cluster; three full past months of <c>--events</c> completion
/// queries each (a query: context 1.5 + 0.5 KB of incompressible text, contextual and behavioural telemetry, one generation
/// with 16 logprobs, three ground truths, one feedback; a session per 200 queries), generated in PostgreSQL at schema 10;
/// the partitioned store is a copy migrated to the latest schema (0011 moves the rows, timed). Each round purges fresh copies
/// of both (CREATE DATABASE … TEMPLATE), in alternating order, with two cutoffs: at the start of the second month (one whole
/// month goes) and fifteen days into it (one month and a half: the second month's first half goes row by row). Both stores
/// are vacuumed before the rounds, as autovacuum would have done to months that old. DELETE frees no disk: its dead rows stay
/// in the tables' files until VACUUM makes their space reusable, which the partitioned store gets by dropping the months. So
/// the old store's copy is also timed through a VACUUM of the tables its purge deleted from, after the DELETE and apart from it
/// (the DELETE's figures are the transaction alone, as before), and that sum is set beside the whole partitioned purge.
/// </summary>
internal static class PurgeBench
{
    private const int PrefixChars = 1536;
    private const int SuffixChars = 512;

    public static async Task RunAsync(int eventsPerMonth, int roundCount, Action<string> report)
    {
        await using var cluster = await ThrowawayCluster.StartAsync();
        await cluster.PrewarmSharedBuffersAsync();
        var admin = cluster.AdminConnectionString;
        var firstMonth = new DateTimeOffset(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-3);

        var stopwatch = Stopwatch.StartNew();
        await CreateAsync(admin, "purge_before", template: null);
        await MigrateAsync(cluster.ConnectionString("purge_before"), version: 10);
        await FillAsync(cluster.ConnectionString("purge_before"), firstMonth, eventsPerMonth);
        report(Line($"purge: {3 * eventsPerMonth} queries in three months from {firstMonth:yyyy-MM} generated at schema 10 in {stopwatch.Elapsed.TotalSeconds:F0} s"));

        await CreateAsync(admin, "purge_after", template: "purge_before");
        stopwatch.Restart();
        await MigrateAsync(cluster.ConnectionString("purge_after"), version: null);
        report(Line($"purge: migrating a copy to schema {MigrationCatalog.Embedded.LatestVersion} (0011 moves every row into its month's partition): {stopwatch.Elapsed.TotalSeconds:F1} s; load average {TelemetryBenchmark.LoadAverage()}"));

        // Months that retention purges are months old: autovacuum has long visited them (PostgreSQL 13+ vacuums tables
        // that only grow), so their visibility maps are set. Both stores alike.
        stopwatch.Restart();
        foreach (var store in new[] { "purge_before", "purge_after" })
        {
            await ThrowawayCluster.ExecuteAsync(cluster.ConnectionString(store), "VACUUM (ANALYZE)");
        }

        report(Line($"purge: VACUUM (ANALYZE) of both stores: {stopwatch.Elapsed.TotalSeconds:F0} s"));

        foreach (var (name, cutoff) in new[] { ("a whole month", firstMonth.AddMonths(1)), ("a month and a half", firstMonth.AddMonths(1).AddDays(15)) })
        {
            var rounds = new List<(double Delete, double Partitions, double RowsGone, double Vacuum)>();
            for (var round = 1; round <= Math.Max(1, roundCount); round++)
            {
                double delete = 0, partitions = 0, rowsGone = 0, vacuum = 0;
                var droppedTables = 0;
                var counts = new Dictionary<string, string>();
                foreach (var store in round % 2 == 1 ? new[] { "purge_before", "purge_after" } : ["purge_after", "purge_before"])
                {
                    var copy = $"{store}_copy";
                    await CreateAsync(admin, copy, template: store);
                    await cluster.CheckpointAsync();
                    await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(cluster.ConnectionString(copy)) { CommandTimeout = 0 }.ConnectionString);
                    var olderThan = TimeSpan.FromDays(90);
                    // PurgeAsync, timed in its two steps: the purge's transaction (no table holds a purged row once it
                    // commits; DELETE's whole work), then, partitioned, the detached months dropped (their files freed).
                    var repository = new UserDataRepository(dataSource) { DropsMonths = store == "purge_after", BeforeTimePartitions = store == "purge_before" };
                    var timer = Stopwatch.StartNew();
                    var queries = await repository.PurgeRowsAsync(olderThan, cutoff + olderThan, CancellationToken.None);
                    var transaction = timer.Elapsed.TotalSeconds;
                    var dropped = repository.DropsMonths ? await repository.DropPurgedMonthsAsync(CancellationToken.None) : 0;
                    var seconds = timer.Elapsed.TotalSeconds;
                    counts[store] = $"{queries} purged; left: {await RemainingAsync(dataSource)}";
                    (delete, partitions, rowsGone) = store == "purge_before" ? (seconds, partitions, rowsGone) : (delete, seconds, transaction);
                    if (store == "purge_before")
                    {
                        timer.Restart();
                        await ThrowawayCluster.ExecuteAsync(cluster.ConnectionString(copy), VacuumPurgedTablesSql);
                        vacuum = timer.Elapsed.TotalSeconds;
                    }

                    droppedTables = dropped > 0 ? dropped : droppedTables;
                    NpgsqlConnection.ClearAllPools();
                    await ThrowawayCluster.ExecuteAsync(admin, $"DROP DATABASE {copy} WITH (FORCE)");
                }

                if (counts["purge_before"] != counts["purge_after"])
                {
                    throw new InvalidOperationException($"The two purges differ: before {counts["purge_before"]}; after {counts["purge_after"]}.");
                }

                rounds.Add((delete, partitions, rowsGone, vacuum));
                report(Line($"purge: {name}, round {round}: DELETE (schema 10) {delete,7:F2} s, partitions {partitions,6:F3} s: {delete / partitions,6:F0}x (its transaction {rowsGone,6:F3} s: {delete / rowsGone,6:F0}x, then {droppedTables} detached tables dropped); DELETE then VACUUM of its tables {delete + vacuum,7:F2} s (VACUUM {vacuum:F2} s): {(delete + vacuum) / partitions,6:F0}x the partitioned purge; {counts["purge_after"]}; load average {TelemetryBenchmark.LoadAverage()}"));
            }

            var ratios = rounds.Select(r => r.Delete / r.Partitions).Order().ToList();
            var transactionRatios = rounds.Select(r => r.Delete / r.RowsGone).Order().ToList();
            var vacuumedRatios = rounds.Select(r => (r.Delete + r.Vacuum) / r.Partitions).Order().ToList();
            report(Line($"purge: {name} (cutoff {cutoff:yyyy-MM-dd}): DELETE median {Median(rounds.Select(r => r.Delete)):F2} s, partitions median {Median(rounds.Select(r => r.Partitions)):F3} s; {Median(ratios):F0}x faster (rounds {ratios[0]:F0}-{ratios[^1]:F0}x; target >= 100x); the purge's transaction alone median {Median(rounds.Select(r => r.RowsGone)):F3} s, {Median(transactionRatios):F0}x (rounds {transactionRatios[0]:F0}-{transactionRatios[^1]:F0}x)"));
            report(Line($"purge: {name}: equal work, the space made reusable: DELETE then VACUUM median {Median(rounds.Select(r => r.Delete + r.Vacuum)):F2} s (VACUUM median {Median(rounds.Select(r => r.Vacuum)):F2} s) against the partitioned purge with its months dropped median {Median(rounds.Select(r => r.Partitions)):F3} s: {Median(vacuumedRatios):F0}x (rounds {vacuumedRatios[0]:F0}-{vacuumedRatios[^1]:F0}x)"));
        }
    }

    // Every table a purge deletes from in the old store (the chat tables too, empty here), so that the space of its dead
    // rows, and of their index entries and TOASTed text, is reusable: what dropping the months gives the partitioned store.
    private const string VacuumPurgedTablesSql = """
        VACUUM meta_query, completion_query, chat_query, had_generation, ground_truth, generation_feedback, completion_retention,
            chat_context_optimization, context, contextual_telemetry, behavioral_telemetry, session
        """;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static async Task CreateAsync(string admin, string name, string? template)
    {
        NpgsqlConnection.ClearAllPools();   // a template must have no connections
        await ThrowawayCluster.ExecuteAsync(admin, template is null ? $"CREATE DATABASE {name}" : $"CREATE DATABASE {name} TEMPLATE {template}");
    }

    private static async Task MigrateAsync(string connectionString, int? version)
    {
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString);
        var catalog = version is { } v ? new MigrationCatalog(MigrationCatalog.Embedded.Migrations.TakeWhile(m => m.Version <= v)) : MigrationCatalog.Embedded;
        await new Migrator(dataSource, catalog).UpAsync(CancellationToken.None);
    }

    private static async Task<string> RemainingAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT format('%s queries, %s contexts, %s contextual, %s behavioral, %s generations, %s truths, %s feedback, %s sessions',
                (SELECT count(*) FROM meta_query), (SELECT count(*) FROM context), (SELECT count(*) FROM contextual_telemetry),
                (SELECT count(*) FROM behavioral_telemetry), (SELECT count(*) FROM had_generation), (SELECT count(*) FROM ground_truth),
                (SELECT count(*) FROM generation_feedback), (SELECT count(*) FROM session))
            """);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Three months of queries, <paramref name="perMonth"/> a month evenly spread, with UUIDv7 ids of their time as the
    /// server makes them (the context's id 300 ms after the query's, when the query completed).
    /// </summary>
    private static async Task FillAsync(string connectionString, DateTimeOffset firstMonth, int perMonth)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var sql = string.Create(CultureInfo.InvariantCulture, $$"""
            CREATE FUNCTION pg_temp.v7(p_ms bigint, p_kind int, p_i bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
                SELECT (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || lpad(to_hex(p_kind), 3, '0') || '-8000-' || lpad(to_hex(p_i), 12, '0'))::uuid
                FROM (SELECT lpad(to_hex(p_ms), 12, '0') AS h) x
            $$;
            CREATE TEMP TABLE pool AS
            SELECT k,
                   (SELECT string_agg(chr(32 + (random() * 94)::int), '') FROM generate_series(1, {{PrefixChars}} + 0 * k)) AS prefix,
                   (SELECT string_agg(chr(32 + (random() * 94)::int), '') FROM generate_series(1, {{SuffixChars}} + 0 * k)) AS suffix,
                   (SELECT string_agg(chr(32 + (random() * 94)::int), '') FROM generate_series(1, 40 + 0 * k)) AS completion
            FROM generate_series(0, 999) AS k;
            INSERT INTO plugin_version (version_name, ide_type) VALUES ('1.0.0', 'bench-ide');
            INSERT INTO model_name (model_name) VALUES ('bench-model');
            INSERT INTO project (project_id, project_name) VALUES ('01900000-0000-7000-8000-000000000001', 'bench');
            CREATE TEMP TABLE q AS
            SELECT i, ms, to_timestamp(ms / 1000.0) AS at
            FROM (SELECT i, (extract(epoch FROM m.start) * 1000)::bigint
                            + ((i - 1) % {{perMonth}}) * ((extract(epoch FROM m.start + interval '1 month') - extract(epoch FROM m.start)) * 1000)::bigint / {{perMonth}} AS ms
                  FROM generate_series(1, {{3 * perMonth}}) AS i,
                       LATERAL (SELECT '{{firstMonth:yyyy-MM-dd}}T00:00:00Z'::timestamptz + ((i - 1) / {{perMonth}}) * interval '1 month' AS start) m) x;
            CREATE TEMP TABLE s AS
            SELECT (i - 1) / 200 AS g, pg_temp.v7(min(ms), 9, (i - 1) / 200) AS session_id, min(at) AS start_time, max(at) + interval '1 minute' AS end_time
            FROM q GROUP BY (i - 1) / 200;
            INSERT INTO session (session_id, start_time, end_time) SELECT session_id, start_time, end_time FROM s;
            INSERT INTO context (context_id, prefix, suffix, file_name)
            SELECT pg_temp.v7(ms + 300, 1, i), p.prefix, p.suffix, 'bench.py' FROM q JOIN pool p ON p.k = i % 1000;
            INSERT INTO contextual_telemetry (contextual_telemetry_id, version_id, trigger_type_id, language_id, file_path, caret_line, document_char_length, relative_document_position)
            SELECT pg_temp.v7(ms, 2, i), (SELECT version_id FROM plugin_version), 2, (SELECT language_id FROM programming_language WHERE language_name = 'python'),
                   '/bench/project/bench.py', 40, 2048, 0.75 FROM q;
            INSERT INTO behavioral_telemetry (behavioral_telemetry_id, time_since_last_shown, time_since_last_accepted, typing_speed)
            SELECT pg_temp.v7(ms, 3, i), 1200, 30000, 3.2 FROM q;
            INSERT INTO meta_query (meta_query_id, contextual_telemetry_id, behavioral_telemetry_id, context_id, session_id, project_id, "timestamp", total_serving_time, server_version, query_type)
            SELECT pg_temp.v7(ms, 4, i), pg_temp.v7(ms, 2, i), pg_temp.v7(ms, 3, i), pg_temp.v7(ms + 300, 1, i),
                   s.session_id, '01900000-0000-7000-8000-000000000001', at, 120, 'bench', 'completion' FROM q JOIN s ON s.g = (q.i - 1) / 200;
            INSERT INTO completion_query (meta_query_id) SELECT pg_temp.v7(ms, 4, i) FROM q;
            INSERT INTO had_generation (meta_query_id, model_id, completion, generation_time, shown_at, was_accepted, confidence, logprobs)
            SELECT pg_temp.v7(ms, 4, i), (SELECT model_id FROM model_name), p.completion, 85, ARRAY[at + interval '200 ms'], i % 3 = 0, 0.8,
                   ARRAY[-0.01, -0.2, -0.05, -1.3, -0.4, -0.02, -0.7, -0.11, -0.03, -2.1, -0.06, -0.5, -0.09, -0.31, -0.8, -0.04]
            FROM q JOIN pool p ON p.k = i % 1000;
            INSERT INTO ground_truth (completion_query_id, truth_timestamp, ground_truth, after_seconds, context_before, context_after)
            SELECT pg_temp.v7(ms, 4, i), at + d * interval '1 second', substr(p.completion, 1, 30), d, substr(p.prefix, 1, 100), substr(p.suffix, 1, 100)
            FROM q JOIN pool p ON p.k = i % 1000, unnest(ARRAY[15, 45, 90]) AS d;
            INSERT INTO generation_feedback (event_id, meta_query_id, model_id, kind, occurred_at)
            SELECT pg_temp.v7(ms + 2000, 5, i), pg_temp.v7(ms, 4, i), (SELECT model_id FROM model_name), CASE WHEN i % 3 = 0 THEN 'accepted' ELSE 'rejected' END,
                   at + interval '2 seconds' FROM q;
            ANALYZE;
            """);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}
