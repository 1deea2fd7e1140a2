using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres.Migrations;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Code4me.Lsp.Benchmarks;

/// <summary>
/// Many editors, one research database: N simulated editor servers in this process, each a <see cref="TelemetryPipeline"/>
/// with its own spool directory, its own <see cref="PostgresTelemetryWriter"/> (an anonymous installation) and its own
/// connection pool, as N participants' servers would have, writing completion sessions (a query with ~2 KB of context and
/// one generation, then shown 60 % / accepted or rejected, a ground truth) to a throwaway cluster (max_connections 300),
/// directly or through PgBouncer in transaction mode with a small pool. At human pace each editor asks every 3 s on
/// average (exponential); at full speed each keeps its spool at most 64 events ahead of the database. After
/// <c>--seconds</c> the editors end their sessions and flush; then every editor's spool must be acknowledged to its last
/// event with nothing dropped, and the database must hold each query, ground truth, feedback and display exactly once.
/// Reports events/s stored, the p99 of a batch's write (connection wait included), the most server connections of the
/// writers' role seen (sampled every 100 ms), and the load average.
/// </summary>
internal static class LoadBench
{
    private const string Login = "c4m_load_writer";

    public static async Task RunAsync(IReadOnlyList<int> editorCounts, int seconds, int pool, IReadOnlyList<string> modes, Action<string> report)
    {
        await using var cluster = await ThrowawayCluster.StartAsync("-c max_connections=300");
        await using var bouncer = await BenchPgBouncer.StartAsync(cluster, pool);
        var admin = cluster.AdminConnectionString;
        await ThrowawayCluster.ExecuteAsync(admin, "CREATE DATABASE load_template");
        await using (var template = NpgsqlDataSource.Create(cluster.ConnectionString("load_template")))
        {
            await new Migrator(template, MigrationCatalog.Embedded).UpAsync(CancellationToken.None);
        }

        await ThrowawayCluster.ExecuteAsync(admin, $"CREATE ROLE {Login} LOGIN IN ROLE code4me_writer");
        NpgsqlConnection.ClearAllPools();
        report(Line($"load: throwaway cluster (max_connections 300), PgBouncer {bouncer.Version} in transaction mode, pool {pool} per database and role; {seconds} s per run; load average {TelemetryBenchmark.LoadAverage()}"));
        foreach (var mode in modes)
        {
            foreach (var fullSpeed in new[] { false, true })
            {
                foreach (var n in editorCounts)
                {
                    if (mode == "direct" && n > 250)
                    {
                        report(Line($"load: {n} editors direct: not run; each editor's server holds its own connection, and {n} exceed max_connections (300 here, 100 by default)"));
                        continue;
                    }

                    var database = $"load_{mode}_{(fullSpeed ? "full" : "human")}_{n}";
                    await ThrowawayCluster.ExecuteAsync(admin, $"CREATE DATABASE {database} TEMPLATE load_template");
                    var direct = new NpgsqlConnectionStringBuilder(cluster.ConnectionString(database)) { Username = Login };
                    var writerConnection = mode == "direct" ? direct.ConnectionString : bouncer.Through(direct);
                    var result = await RunOnceAsync(writerConnection, cluster.ConnectionString(database), admin, n, seconds, fullSpeed);
                    report(Line($"load: {n,4} editors, {(fullSpeed ? "full speed" : "human pace"),-10}, {mode,-9}: {result}; load average {TelemetryBenchmark.LoadAverage()}"));
                    NpgsqlConnection.ClearAllPools();
                    await ThrowawayCluster.ExecuteAsync(admin, $"DROP DATABASE {database} WITH (FORCE)");
                }
            }
        }
    }

    private static async Task<string> RunOnceAsync(string writerConnection, string ownerConnection, string admin, int n, int seconds, bool fullSpeed)
    {
        var root = Directory.CreateTempSubdirectory("code4me-load-").FullName;
        var latencies = new ConcurrentBag<double>();
        var editors = new List<Editor>();
        try
        {
            for (var i = 0; i < n; i++)
            {
                editors.Add(Editor.Start(Path.Combine(root, i.ToString(CultureInfo.InvariantCulture)), writerConnection, latencies, seed: i));
            }

            using var sampling = new CancellationTokenSource();
            var connections = SampleConnectionsAsync(admin, sampling.Token);
            var clock = Stopwatch.StartNew();
            using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds)))
            {
                await Task.WhenAll(editors.Select(e => e.RunAsync(fullSpeed, stop.Token)));
            }

            var produced = clock.Elapsed.TotalSeconds;
            // A run that cannot store its events (a refused login, a pooler that is down) reports so instead of waiting forever.
            using var giveUp = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            var flushed = await Task.WhenAll(editors.Select(e => FlushAsync(e.Pipeline, giveUp.Token)));
            var total = clock.Elapsed.TotalSeconds;
            await sampling.CancelAsync();
            var maxConnections = await connections;
            var events = editors.Sum(e => e.Events);
            var check = await CheckAsync(ownerConnection, editors, flushed);
            var sorted = latencies.Order().ToList();
            return Line($"{events} events ({events / produced:F0}/s offered), all stored in {total:F1} s = {events / total:F0} events/s; batches {sorted.Count}, p50 {Percentile(sorted, 0.5):F0} ms, p99 {Percentile(sorted, 0.99):F0} ms; server connections of the writers at most {maxConnections}; {check}");
        }
        finally
        {
            foreach (var editor in editors)
            {
                await editor.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<bool> FlushAsync(TelemetryPipeline pipeline, CancellationToken giveUp)
    {
        try
        {
            return await pipeline.FlushAsync(giveUp);
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
        {
            return false;
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];

    /// <summary>Every spool acknowledged to its end with nothing dropped, and every query, truth, feedback and display stored once.</summary>
    private static async Task<string> CheckAsync(string ownerConnection, List<Editor> editors, bool[] flushed)
    {
        var failures = new List<string>();
        if (flushed.Count(f => !f) is > 0 and var unflushed)
        {
            failures.Add($"{unflushed} spools not acknowledged to their end");
        }

        if (editors.Sum(e => e.Pipeline.DroppedCount + e.Writer.SkippedCount) is > 0 and var lost)
        {
            failures.Add($"{lost} events dropped or skipped");
        }

        await using var owner = NpgsqlDataSource.Create(ownerConnection);
        await using var command = owner.CreateCommand("""
            SELECT (SELECT count(*) FROM session WHERE end_time IS NOT NULL), (SELECT count(*) FROM meta_query), (SELECT count(*) FROM had_generation),
                   (SELECT coalesce(sum(cardinality(shown_at)), 0) FROM had_generation), (SELECT count(*) FROM generation_feedback),
                   (SELECT count(*) FROM ground_truth)
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var stored = Enumerable.Range(0, 6).Select(reader.GetInt64).ToArray();
        long[] expected = [editors.Count, editors.Sum(e => e.Queries), editors.Sum(e => e.Queries), editors.Sum(e => e.Shown), editors.Sum(e => e.Feedback), editors.Sum(e => e.Queries)];
        if (!stored.SequenceEqual(expected))
        {
            failures.Add($"stored sessions/queries/generations/displays/feedback/truths {string.Join('/', stored)}, expected {string.Join('/', expected)}");
        }

        return failures.Count == 0
            ? Line($"exactly once: {expected[1]} queries, {expected[3]} displays, {expected[4]} feedback, {expected[5]} truths of {editors.Count} sessions, every spool acknowledged, nothing dropped")
            : "NOT exactly once: " + string.Join("; ", failures);
    }

    private static async Task<long> SampleConnectionsAsync(string admin, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM pg_stat_activity WHERE usename = '{Login}'", connection);
        long max = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            max = Math.Max(max, (long)(await command.ExecuteScalarAsync(CancellationToken.None))!);
            await Task.Delay(100, CancellationToken.None);
        }

        return max;
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>One simulated editor server: its pipeline, spool, writer and connection pool, and the session it records.</summary>
    private sealed class Editor : IAsyncDisposable
    {
        private readonly NpgsqlDataSource _dataSource;
        private readonly Random _random;
        private readonly Guid _sessionId = Guid.CreateVersion7();

        private Editor(NpgsqlDataSource dataSource, PostgresTelemetryWriter writer, TelemetryPipeline pipeline, Random random)
        {
            _dataSource = dataSource;
            Writer = writer;
            Pipeline = pipeline;
            _random = random;
        }

        public TelemetryPipeline Pipeline { get; }

        public PostgresTelemetryWriter Writer { get; }

        public long Events { get; private set; }

        public long Queries { get; private set; }

        public long Shown { get; private set; }

        public long Feedback { get; private set; }

        public static Editor Start(string spool, string connectionString, ConcurrentBag<double> latencies, int seed)
        {
            var dataSource = NpgsqlDataSource.Create(connectionString);
            var writer = new PostgresTelemetryWriter(dataSource, new ReferenceData(dataSource), Options.Create(new Code4meStorageOptions()), NullLogger<PostgresTelemetryWriter>.Instance)
            {
                InstallationId = Guid.NewGuid(),
                Machine = $"load-{seed}",
            };
            var pipeline = new TelemetryPipeline(
                Options.Create(new SpoolOptions { Directory = spool, RetryBaseDelayMs = 100, RetryMaxDelayMs = 2_000, BreakDurationMs = 1_000 }),
                [new TimedWriter(writer, latencies)], [], [], TimeProvider.System, NullLogger<TelemetryPipeline>.Instance);
            pipeline.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            return new Editor(dataSource, writer, pipeline, new Random(seed));
        }

        public async Task RunAsync(bool fullSpeed, CancellationToken stop)
        {
            var start = DateTimeOffset.UtcNow;
            Record(new SessionStartedEvent(Guid.CreateVersion7(start), start, _sessionId, "load-ide", "1.0.0", ["/load/project"], Writer.InstallationId));
            try
            {
                // Editors start spread over the first seconds, as people do.
                await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(fullSpeed ? 100 : 3_000)), stop);
                while (!stop.IsCancellationRequested)
                {
                    RecordQuery();
                    if (fullSpeed)
                    {
                        await Pipeline.SpoolQueuedAsync(stop);
                        while (Pipeline.Spool.LastSequence - Pipeline.Spool.AcknowledgedSequence > 64)
                        {
                            await Task.Delay(5, stop);
                        }
                    }
                    else
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(-Math.Log(1 - _random.NextDouble()) * 3_000), stop);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }

            var end = DateTimeOffset.UtcNow;
            Record(new SessionEndedEvent(Guid.CreateVersion7(end), end, _sessionId));
        }

        private void RecordQuery()
        {
            var at = DateTimeOffset.UtcNow;
            var queryId = Guid.CreateVersion7(at);
            Record(new CompletionQueryEvent(
                Guid.CreateVersion7(at), at, queryId, _sessionId, "/load/project",
                new ContextRecord(Guid.CreateVersion7(at), TelemetryBenchmark.Text(_random, 1536), TelemetryBenchmark.Text(_random, 512), "load.py", null),
                new ContextualTelemetry(Guid.CreateVersion7(at), "1.0.0", "load-ide", CompletionTrigger.Auto, "python", "/load/project/load.py", 40, 2048, 0.75),
                new BehavioralTelemetry(Guid.CreateVersion7(at), 1200, 30_000, 3.2),
                [new GenerationRecord("load-model", TelemetryBenchmark.Text(_random, 40), 85, 0.8, [-0.1, -0.2, -0.05, -1.3], [], false)],
                120,
                "load"));
            Queries++;
            if (_random.NextDouble() < 0.6)
            {
                Record(new ShownEvent(Guid.CreateVersion7(at), at.AddMilliseconds(90), queryId, "load-model"));
                Shown++;
                Record(_random.NextDouble() < 0.3
                    ? new AcceptedEvent(Guid.CreateVersion7(at), at.AddSeconds(1), queryId, "load-model")
                    : new RejectedEvent(Guid.CreateVersion7(at), at.AddSeconds(1), queryId, "load-model"));
                Feedback++;
            }

            Record(new GroundTruthEvent(Guid.CreateVersion7(at), at.AddSeconds(15), queryId, 15, at.AddSeconds(15), "return x", "    ", "\n"));
        }

        private void Record(TelemetryEvent e)
        {
            Pipeline.Enqueue(e);
            Events++;
        }

        public async ValueTask DisposeAsync()
        {
            await Pipeline.DisposeAsync();
            await _dataSource.DisposeAsync();
        }
    }

    /// <summary>The editor's writer, timing each batch it is given (connection wait, transaction and commit).</summary>
    private sealed class TimedWriter(ITelemetryBatchWriter inner, ConcurrentBag<double> latencies) : ITelemetryBatchWriter
    {
        public async Task WriteAsync(IReadOnlyList<SpooledRecord> records, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            await inner.WriteAsync(records, cancellationToken);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }

        public string DescribeFailure(Exception exception) => inner.DescribeFailure(exception);
    }
}
