using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres;
using Code4me.Lsp.Storage.Postgres.Migrations;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Code4me.Lsp.Benchmarks;

/// <summary>
/// Completion events per second into PostgreSQL, three ways in one run, each into its own freshly migrated
/// database with the real foreign keys and indexes: the <see cref="PostgresTelemetryWriter"/> (batches of <c>--batch</c>, default 2000 as the pipeline's WriteBatchSize;
/// also in its staged replay mode),
/// the naive way (one transaction and one INSERT per row per event), and the ceiling (the same rows generated
/// inside PostgreSQL by INSERT … SELECT … generate_series, no client, as the owner). One event = context (1.5 KB prefix +
/// 0.5 KB suffix of incompressible text) + contextual + behavioral + meta_query + completion_query + one
/// had_generation with 16 logprobs. Also bytes per event on disk (pg_total_relation_size deltas).
/// The writer runs as production runs it: a login that is a member of <c>code4me_writer</c>, so PostgreSQL checks every
/// batch's rows against the transaction's proof of identity (migration 0009). The events are anonymous, as they always
/// were here; with <c>--signed-in</c> the writer has a participant's auth token and every way writes that participant's
/// queries (meta_query.user_id set, so its foreign key is checked for each query, and the writer resolves the token per batch).
/// </summary>
internal static class TelemetryBenchmark
{
    private const int PrefixChars = 1536;
    private const int SuffixChars = 512;
    private const int CompletionChars = 40;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.,:;()[]{}<>=+-*/%!?&|^~#@$'\"\\\n\t";
    private static readonly BatchOwner s_anonymous = new(null, null, null, "bench");
    private static readonly double[] s_logprobs = [-0.01, -0.2, -0.05, -1.3, -0.4, -0.02, -0.7, -0.11, -0.03, -2.1, -0.06, -0.5, -0.09, -0.31, -0.8, -0.04];

    private const string TableBytesSql = """
        SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'schema_migrations'
        """;

    public static async Task RunAsync(
        string? database, int events, int naiveEvents, int batchSize, int roundCount, bool profile, bool signedIn, int? againstSchema, int monthsBack,
        string? toastCompression, Action<string> report)
    {
        // --toast-compression gives every column without a compression of its own that one (default_toast_compression),
        // so that a baseline schema can be compared with the latest at the same compression.
        await using var cluster = database is null
            ? await ThrowawayCluster.StartAsync(toastCompression is null ? "" : $"-c default_toast_compression={toastCompression}")
            : null;
        var admin = cluster?.AdminConnectionString ?? DatabaseUrl.ToConnectionString(database!);
        report(cluster is null
            ? "telemetry: database given with --database"
            : "telemetry: throwaway PostgreSQL cluster (fsync and synchronous_commit on, as PostgreSQL ships)"
              + (toastCompression is null ? "" : $"; default_toast_compression = {toastCompression}"));
        report(signedIn
            ? "telemetry: the writer as a login in code4me_writer, signed in (a participant's auth token; every way writes its queries)"
            : "telemetry: the writer as a login in code4me_writer, anonymous (no auth token; no way sets a user)");
        if (cluster is not null)
        {
            await cluster.PrewarmSharedBuffersAsync();
        }

        var random = new Random(4);
        var created = new List<string>();
        var writerLogin = await CreateWriterLoginAsync(admin);
        try
        {
            if (profile)
            {
                // With --against-schema N, the writer into schema N instead of the latest.
                await ProfileAsync(await CreateDatabaseAsync(admin, "profile", created, againstSchema, monthsBack), writerLogin, signedIn, events, batchSize, random, report);
                return;
            }

            if (againstSchema is { } baseline)
            {
                await AgainstSchemaAsync(admin, writerLogin, signedIn, events, batchSize, roundCount, baseline, monthsBack, random, cluster, created, report);
                return;
            }

            // Writer and ceiling in interleaved rounds (writer first in odd rounds, ceiling first in even ones), each
            // into a fresh database after a CHECKPOINT: this machine's speed drifts by ±20 % over a minute, and a pair
            // measured back to back shares it. The ratio is the median of the rounds' ratios; every round is printed.
            var rounds = new List<(double Writer, double Ceiling)>();
            for (var round = 1; round <= Math.Max(1, roundCount); round++)
            {
                var writerDb = await CreateDatabaseAsync(admin, "writer", created);
                var ceilingDb = await CreateDatabaseAsync(admin, "ceiling", created);
                Measured writer = default, ceiling = default;
                foreach (var step in round % 2 == 1 ? new[] { "writer", "ceiling" } : ["ceiling", "writer"])
                {
                    if (step == "writer")
                    {
                        writer = await WriterAsync(writerDb, writerLogin, signedIn, events, batchSize, staged: false, random, cluster);
                    }
                    else
                    {
                        ceiling = await CeilingAsync(ceilingDb, signedIn, events, onConflict: false, cluster);
                    }
                }

                rounds.Add((writer.EventsPerSecond, ceiling.EventsPerSecond));
                report(Line($"telemetry: round {round}: writer {writer.EventsPerSecond,6:F0} events/s ({writer.Timing.Cpu}), ceiling {ceiling.EventsPerSecond,6:F0} events/s ({ceiling.Timing.Cpu}): {writer.EventsPerSecond / ceiling.EventsPerSecond * 100:F0} %; bytes/event {writer.BytesPerEvent:F0} vs {ceiling.BytesPerEvent:F0}"));
                await DropDatabasesAsync(admin, created);
            }

            var stagedDb = await CreateDatabaseAsync(admin, "staged", created);
            var naiveDb = await CreateDatabaseAsync(admin, "naive", created);
            var idempotentCeilingDb = await CreateDatabaseAsync(admin, "ceiling_oc", created);
            var staged = await WriterAsync(stagedDb, writerLogin, signedIn, events, batchSize, staged: true, random, cluster);
            var naiveRate = await NaiveAsync(naiveDb, signedIn, naiveEvents, random, cluster);
            var idempotent = await CeilingAsync(idempotentCeilingDb, signedIn, events, onConflict: true, cluster);
            var writerRate = Median(rounds.Select(r => r.Writer));
            var ceilingRate = Median(rounds.Select(r => r.Ceiling));
            var ratio = Median(rounds.Select(r => r.Writer / r.Ceiling));
            report(Line($"telemetry: writer  (binary COPY per table, {batchSize} per batch, one transaction): {events,6} events per round, median {writerRate,7:F0} events/s"));
            report(Line($"telemetry: ceiling (INSERT ... SELECT ... generate_series in PostgreSQL):    {events,6} events per round, median {ceilingRate,7:F0} events/s"));
            report(Line($"telemetry: writer, staged (its replay path: COPY into temp tables + INSERT ... SELECT ... ON CONFLICT DO NOTHING): {staged.EventsPerSecond,7:F0} events/s; {staged.Timing.Cpu}"));
            report(Line($"telemetry: naive   (one transaction + one INSERT per row per event):        {naiveEvents,6} events = {naiveRate,7:F0} events/s"));
            report(Line($"telemetry: ceiling with ON CONFLICT DO NOTHING on every insert (the writer's idempotency):  {idempotent.EventsPerSecond,7:F0} events/s; {idempotent.Timing.Cpu}"));
            report(Line($"telemetry: writer = {ratio * 100:F0} % of the ceiling (median of {rounds.Count} rounds, {rounds.Min(r => r.Writer / r.Ceiling) * 100:F0}-{rounds.Max(r => r.Writer / r.Ceiling) * 100:F0} %; target >= 80 %), {writerRate / naiveRate:F1}x the naive way (target >= 10x); {writerRate / idempotent.EventsPerSecond * 100:F0} % of the idempotent ceiling; staged = {staged.EventsPerSecond / ceilingRate * 100:F0} % of the ceiling"));
        }
        finally
        {
            if (cluster is null)
            {
                await DropDatabasesAsync(admin, created);
                await ThrowawayCluster.ExecuteAsync(admin, $"DROP ROLE IF EXISTS {writerLogin.Username}");
            }
        }
    }

    /// <summary>
    /// The writer into the latest schema against the writer into the schema at version <paramref name="baseline"/> (e.g. 10,
    /// before the time partitions of 0011), in interleaved rounds (latest first in odd rounds), each into a fresh database.
    /// With <paramref name="monthsBack"/>, a partitioned schema first gets the monthly partitions of that many past months, as a
    /// store that has kept that long has (a fresh one has three months and the default partition). The writer warms up
    /// first, unmeasured.
    /// </summary>
    private static async Task AgainstSchemaAsync(
        string admin, NpgsqlConnectionStringBuilder writerLogin, bool signedIn, int events, int batchSize, int roundCount, int baseline, int monthsBack,
        Random random, ThrowawayCluster? cluster, List<string> created, Action<string> report)
    {
        var latest = MigrationCatalog.Embedded.Migrations[^1].Version;
        var rounds = new List<(double Latest, double Baseline)>();
        if (monthsBack > 0)
        {
            report(Line($"telemetry: partitioned schemas with the months of the past {monthsBack} months too"));
        }

        // The client's JIT warms up first, into a database of its own, so that the first round's first writer does not pay it.
        var warmUp = await CreateDatabaseAsync(admin, "warmup", created);
        await WriterAsync(warmUp, writerLogin, signedIn, Math.Min(events, 4 * batchSize), batchSize, staged: false, random, cluster);
        await DropDatabasesAsync(admin, created);

        for (var round = 1; round <= Math.Max(1, roundCount); round++)
        {
            var latestDb = await CreateDatabaseAsync(admin, "latest", created, monthsBack: monthsBack);
            var baselineDb = await CreateDatabaseAsync(admin, "baseline", created, baseline, monthsBack);
            Measured now = default, before = default;
            foreach (var step in round % 2 == 1 ? new[] { latest, baseline } : [baseline, latest])
            {
                var measured = await WriterAsync(step == latest ? latestDb : baselineDb, writerLogin, signedIn, events, batchSize, staged: false, random, cluster);
                (now, before) = step == latest ? (measured, before) : (now, measured);
            }

            rounds.Add((now.EventsPerSecond, before.EventsPerSecond));
            report(Line($"telemetry: round {round}: writer into schema {latest} {now.EventsPerSecond,6:F0} events/s ({now.Timing.Cpu}), into schema {baseline} {before.EventsPerSecond,6:F0} events/s ({before.Timing.Cpu}): {now.EventsPerSecond / before.EventsPerSecond * 100:F1} %; load average {LoadAverage()}"));
            await DropDatabasesAsync(admin, created);
        }

        report(Line($"telemetry: writer into schema {latest}: median {Median(rounds.Select(r => r.Latest)),7:F0} events/s; into schema {baseline}: median {Median(rounds.Select(r => r.Baseline)),7:F0} events/s; ratio median {Median(rounds.Select(r => r.Latest / r.Baseline)) * 100:F1} % ({rounds.Min(r => r.Latest / r.Baseline) * 100:F1}-{rounds.Max(r => r.Latest / r.Baseline) * 100:F1} %, {rounds.Count} rounds, {events} events each, {batchSize} per batch)"));
    }

    /// <summary>The 1, 5 and 15 minute load averages of this machine (/proc/loadavg).</summary>
    internal static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>A login role of this run, a member of code4me_writer (roles belong to the cluster, not to one database).</summary>
    private static async Task<NpgsqlConnectionStringBuilder> CreateWriterLoginAsync(string admin)
    {
        var login = new NpgsqlConnectionStringBuilder(admin) { Username = $"c4m_bench_writer_{Guid.NewGuid().ToString("N")[..8]}", Password = Guid.NewGuid().ToString("N") };
        // The group role comes with the first migration; it may not exist yet on a fresh cluster.
        await ThrowawayCluster.ExecuteAsync(admin, "DO $$ BEGIN CREATE ROLE code4me_writer NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
        await ThrowawayCluster.ExecuteAsync(admin, $"CREATE ROLE {login.Username} LOGIN PASSWORD '{login.Password}' IN ROLE code4me_writer");
        return login;
    }

    private static async Task DropDatabasesAsync(string admin, List<string> created)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        foreach (var name in created)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }

        created.Clear();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private readonly record struct Measured(double EventsPerSecond, double BytesPerEvent, Timing Timing);

    /// <summary>
    /// Times an action: wall seconds, and CPU per event in µs of the server (the throwaway cluster; NaN with --database)
    /// and of the client (this process).
    /// </summary>
    private static async Task<Timing> MeasureAsync(ThrowawayCluster? cluster, int count, Func<Task> action)
    {
        if (cluster is not null)
        {
            await cluster.CheckpointAsync();
        }

        var server = cluster?.CpuTime();
        var client = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        await action();
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var clientUs = (Process.GetCurrentProcess().TotalProcessorTime - client).TotalMicroseconds / count;
        return new(seconds, server is { } s ? (cluster!.CpuTime() - s).TotalMicroseconds / count : double.NaN, clientUs);
    }

    private sealed record Timing(double Seconds, double ServerCpuUs, double ClientCpuUs)
    {
        public string Cpu => Line($"CPU/event: server {ServerCpuUs,4:F0} us + client {ClientCpuUs,4:F0} us");
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static async Task<string> CreateDatabaseAsync(string admin, string purpose, List<string> created, int? schemaVersion = null, int monthsBack = 0)
    {
        var name = $"c4m_bench_{purpose}_{Guid.NewGuid().ToString("N")[..8]}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        created.Add(name);
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var catalog = schemaVersion is { } version
            ? new MigrationCatalog(MigrationCatalog.Embedded.Migrations.TakeWhile(m => m.Version <= version))
            : MigrationCatalog.Embedded;
        await new Migrator(dataSource, catalog).UpAsync(CancellationToken.None);
        if (monthsBack > 0 && catalog.LatestVersion >= 11)
        {
            await using var ensure = dataSource.CreateCommand(
                string.Create(CultureInfo.InvariantCulture, $"SELECT telemetry_partitions_ensure(now(), now() - interval '{monthsBack} months')"));
            await ensure.ExecuteNonQueryAsync();
        }

        return connectionString;
    }

    /// <summary>
    /// The writer as production runs it: connected as <paramref name="login"/> (a member of code4me_writer), with an
    /// installation id and, <paramref name="signedIn"/>, the auth token of a participant made for the run. Counts and sizes
    /// are read as the owner (the writer cannot).
    /// </summary>
    private static async Task<Measured> WriterAsync(
        string connectionString, NpgsqlConnectionStringBuilder login, bool signedIn, int count, int batchSize, bool staged, Random random,
        ThrowawayCluster? cluster, Action? beforeTiming = null)
    {
        await using var owner = NpgsqlDataSource.Create(connectionString);
        var (userId, token) = await ParticipantAsync(owner, signedIn);

        await using var dataSource = NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(connectionString) { Username = login.Username, Password = login.Password }.ConnectionString);
        var writer = new PostgresTelemetryWriter(
            dataSource, new ReferenceData(dataSource), Options.Create(new Code4meStorageOptions { AuthToken = token }), NullLogger<PostgresTelemetryWriter>.Instance)
        {
            AlwaysStaged = staged,
            InstallationId = Guid.NewGuid(),
        };
        var sessionId = Guid.CreateVersion7();
        var sequence = 0L;
        // Warm up (connections, reference ids, plans, and the client's JIT up to its optimised tier, as in a server that
        // has been running): 10 000 events, whatever the batch size, not timed, not counted. They only make the writer's
        // tables bigger.
        const int warmUp = 10_000;
        await writer.WriteAsync([new SpooledRecord(++sequence, Session(sessionId))], CancellationToken.None);
        foreach (var batch in Events(sessionId, warmUp, random).Select(e => new SpooledRecord(++sequence, e)).Chunk(batchSize))
        {
            await writer.WriteAsync(batch, CancellationToken.None);
        }

        var records = Events(sessionId, count, random).Select(e => new SpooledRecord(++sequence, e)).ToList();
        var before = await ScalarAsync<long>(owner, TableBytesSql);

        // The input (~160 MB of strings for 40 000 events) is made before the clock starts; collect now so that promoting
        // it is not charged to the writer.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        beforeTiming?.Invoke();
        var timing = await MeasureAsync(cluster, count, async () =>
        {
            foreach (var batch in records.Chunk(batchSize))
            {
                await writer.WriteAsync(batch, CancellationToken.None);
            }
        });
        var after = await ScalarAsync<long>(owner, TableBytesSql);
        await Check(owner, count + warmUp);
        if (userId is not null && await ScalarAsync<long>(owner, "SELECT count(*) FROM meta_query m JOIN \"user\" u USING (user_id)") != count + warmUp)
        {
            throw new InvalidOperationException("The writer's queries do not all carry the user of its auth token.");
        }

        return new(count / timing.Seconds, (after - before) / (double)count, timing);
    }

    /// <summary>
    /// With <paramref name="signedIn"/>, the participant whose queries every way writes (the writer with its auth token, the
    /// others with its id); else nobody (nulls).
    /// </summary>
    private static async Task<(Guid? Id, Guid? Token)> ParticipantAsync(NpgsqlDataSource owner, bool signedIn)
    {
        if (!signedIn)
        {
            return default;
        }

        var (id, token) = (Guid.CreateVersion7(), Guid.NewGuid());
        await using var user = owner.CreateCommand(
            "INSERT INTO \"user\" (user_id, email, name, password, auth_token) VALUES ($1, 'bench@example.org', 'Bench', '$argon2id$v=19$bench', $2)");
        user.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        user.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = token });
        await user.ExecuteNonQueryAsync();
        return (id, token);
    }

    /// <summary>
    /// The writer with Npgsql's tracing on (which costs a little): wall time per kind of step (the first words of each
    /// statement or COPY), summed over all batches, against the whole run's time. The client's own work (mapping
    /// events, encoding COPY rows) is the part the steps do not cover.
    /// </summary>
    private static async Task ProfileAsync(
        string connectionString, NpgsqlConnectionStringBuilder login, bool signedIn, int count, int batchSize, Random random, Action<string> report)
    {
        var steps = new ConcurrentDictionary<string, (int Count, TimeSpan Time)>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                var text = activity.GetTagItem("db.query.text") as string ?? activity.DisplayName;
                var key = string.Join(' ', text.Split((char[]?)null, 4, StringSplitOptions.RemoveEmptyEntries).Take(3));
                steps.AddOrUpdate(key, (1, activity.Duration), (_, s) => (s.Count + 1, s.Time + activity.Duration));
            },
        };
        var cpuBefore = TimeSpan.Zero;
        var rate = (await WriterAsync(connectionString, login, signedIn, count, batchSize, staged: false, random, cluster: null, () =>
        {
            ActivitySource.AddActivityListener(listener);
            cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        })).EventsPerSecond;
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var total = count / rate;
        report(Line($"telemetry profile: {count} events in {total:F2} s = {rate:F0} events/s (traced), {batchSize} per batch; client CPU {clientCpu.TotalSeconds:F2} s"));

        // The client's share without the database: mapping events to rows (reference ids come from the cache).
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var references = new ReferenceData(dataSource);
        var events = Events(Guid.CreateVersion7(), count, random);
        await TelemetryBatch.CreateAsync(events.Take(10), references, s_anonymous, CancellationToken.None);
        var mapping = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var chunk in events.Chunk(batchSize))
        {
            await TelemetryBatch.CreateAsync(chunk, references, s_anonymous, CancellationToken.None);
        }

        report(Line($"telemetry profile: of which mapping {count} events to rows (no I/O): {(Process.GetCurrentProcess().TotalProcessorTime - mapping).TotalSeconds:F2} s CPU"));
        foreach (var (step, (n, time)) in steps.OrderByDescending(s => s.Value.Time))
        {
            report(Line($"telemetry profile: {time.TotalSeconds,6:F2} s {time.TotalSeconds / total * 100,4:F0} %  {n,5}x  {step}"));
        }

        // Npgsql traces statements and COPYs, not COMMIT, where the per-event tables' deferred key checks run.
        var rest = total - steps.Values.Sum(s => s.Time.TotalSeconds);
        report(Line($"telemetry profile: {rest,6:F2} s {rest / total * 100,4:F0} %         the rest: COMMIT (with the deferred foreign-key checks) and the client's own work"));
    }

    private static async Task<double> NaiveAsync(string connectionString, bool signedIn, int count, Random random, ThrowawayCluster? cluster)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var references = new ReferenceData(dataSource);
        var version = await references.GetPluginVersionIdAsync("1.0.0", "bench-ide", null, CancellationToken.None);
        var trigger = await references.GetTriggerTypeIdAsync("auto", CancellationToken.None);
        var language = await references.GetLanguageIdAsync("python", CancellationToken.None);
        var model = await references.GetModelIdAsync("bench-model", false, CancellationToken.None);
        var sessionId = Guid.CreateVersion7();
        var projectId = Guid.CreateVersion7();
        var user = (object?)(await ParticipantAsync(dataSource, signedIn)).Id ?? DBNull.Value;
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await ExecuteAsync(connection, "INSERT INTO session (session_id, user_id, start_time) VALUES ($1, $2, now())", sessionId, user);
            await ExecuteAsync(connection, "INSERT INTO project (project_id, project_name) VALUES ($1, 'bench')", projectId);
        }

        var events = Events(sessionId, count, random);
        var timing = await MeasureAsync(cluster, count, async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            foreach (var e in events)
            {
                var context = e.Context!;
                var contextual = e.Contextual!;
                var behavioral = e.Behavioral!;
                var generation = e.Generations[0];
                await using var transaction = await connection.BeginTransactionAsync();
                await ExecuteAsync(connection, "INSERT INTO context (context_id, prefix, suffix, file_name, selected_text) VALUES ($1, $2, $3, $4, $5)",
                    context.ContextId, context.Prefix!, context.Suffix!, context.FileName!, DBNull.Value);
                await ExecuteAsync(connection,
                    "INSERT INTO contextual_telemetry (contextual_telemetry_id, version_id, trigger_type_id, language_id, file_path, caret_line, document_char_length, relative_document_position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    contextual.ContextualTelemetryId, version, trigger, language, contextual.FilePath!, contextual.CaretLine, contextual.DocumentCharLength, contextual.RelativeDocumentPosition);
                await ExecuteAsync(connection, "INSERT INTO behavioral_telemetry (behavioral_telemetry_id, time_since_last_shown, time_since_last_accepted, typing_speed) VALUES ($1, $2, $3, $4)",
                    behavioral.BehavioralTelemetryId, behavioral.TimeSinceLastShownMs!, behavioral.TimeSinceLastAcceptedMs!, behavioral.TypingSpeed!);
                await ExecuteAsync(connection,
                    "INSERT INTO meta_query (meta_query_id, user_id, contextual_telemetry_id, behavioral_telemetry_id, context_id, session_id, project_id, \"timestamp\", total_serving_time, server_version, query_type) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'completion')",
                    e.QueryId, user, contextual.ContextualTelemetryId, behavioral.BehavioralTelemetryId, context.ContextId, sessionId, projectId, e.OccurredAt.UtcDateTime, e.TotalServingTimeMs, e.ServerVersion);
                await ExecuteAsync(connection, "INSERT INTO completion_query (meta_query_id) VALUES ($1)", e.QueryId);
                await ExecuteAsync(connection,
                    "INSERT INTO had_generation (meta_query_id, model_id, completion, generation_time, confidence, logprobs) VALUES ($1, $2, $3, $4, $5, $6)",
                    e.QueryId, model, generation.Completion, generation.GenerationTimeMs, generation.Confidence, generation.Logprobs.ToArray());
                await transaction.CommitAsync();
            }
        });

        await Check(dataSource, count);
        return count / timing.Seconds;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(value switch
            {
                DateTime at => new NpgsqlParameter { Value = at, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                _ => new NpgsqlParameter { Value = value },
            });
        }

        await command.ExecuteNonQueryAsync();
    }

    private static async Task<Measured> CeilingAsync(
        string connectionString, bool signedIn, int count, bool onConflict, ThrowawayCluster? cluster)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var references = new ReferenceData(dataSource);
        var version = await references.GetPluginVersionIdAsync("1.0.0", "bench-ide", null, CancellationToken.None);
        var trigger = await references.GetTriggerTypeIdAsync("auto", CancellationToken.None);
        var language = await references.GetLanguageIdAsync("python", CancellationToken.None);
        var model = await references.GetModelIdAsync("bench-model", false, CancellationToken.None);
        var user = (await ParticipantAsync(dataSource, signedIn)).Id is { } id ? $"'{id}'" : "NULL";
        await using var connection = await dataSource.OpenConnectionAsync();
        // Incompressible text, made before the clock starts: 1000 distinct values, each row takes one by i % 1000
        // (TOAST compresses every value on its own, so reuse does not make the data smaller).
        await using (var setup = new NpgsqlCommand(
            $"""
            INSERT INTO session (session_id, user_id, start_time) VALUES ('01900000-0000-7000-8000-000000000000', {user}, now());
            INSERT INTO project (project_id, project_name) VALUES ('01900000-0000-7000-8000-000000000001', 'bench');
            CREATE TEMP TABLE pool AS
            SELECT k,
                   (SELECT string_agg(chr(32 + (random() * 94)::int), '') FROM generate_series(1, {PrefixChars} + 0 * k)) AS prefix,
                   (SELECT string_agg(chr(32 + (random() * 94)::int), '') FROM generate_series(1, {SuffixChars} + 0 * k)) AS suffix,
                   (SELECT string_agg(chr(32 + (random() * 94)::int), '') FROM generate_series(1, {CompletionChars} + 0 * k)) AS completion
            FROM generate_series(0, 999) AS k;
            ANALYZE pool;
            """, connection))
        {
            await setup.ExecuteNonQueryAsync();
        }

        var conflict = onConflict ? "ON CONFLICT DO NOTHING" : "";
        static string Id(int table) => $"('01900000-{table:D4}-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid";
        var logprobs = string.Join(", ", s_logprobs.Select(l => l.ToString(CultureInfo.InvariantCulture)));
        // The same transaction settings as the writer: the per-event tables' foreign keys checked at COMMIT.
        var sql = string.Create(CultureInfo.InvariantCulture, $"""
            BEGIN;
            SET CONSTRAINTS ALL DEFERRED;
            INSERT INTO context (context_id, prefix, suffix, file_name, selected_text)
            SELECT {Id(1)}, p.prefix, p.suffix, 'bench.py', NULL FROM generate_series(1, {count}) AS i JOIN pool p ON p.k = i % 1000 {conflict};
            INSERT INTO contextual_telemetry (contextual_telemetry_id, version_id, trigger_type_id, language_id, file_path, caret_line, document_char_length, relative_document_position)
            SELECT {Id(2)}, {version}, {trigger}, {language}, '/bench/project/bench.py', 40, 2048, 0.75 FROM generate_series(1, {count}) AS i {conflict};
            INSERT INTO behavioral_telemetry (behavioral_telemetry_id, time_since_last_shown, time_since_last_accepted, typing_speed)
            SELECT {Id(3)}, 1200, 30000, 3.2 FROM generate_series(1, {count}) AS i {conflict};
            INSERT INTO meta_query (meta_query_id, user_id, contextual_telemetry_id, behavioral_telemetry_id, context_id, session_id, project_id, "timestamp", total_serving_time, server_version, query_type)
            SELECT {Id(4)}, {user}, {Id(2)}, {Id(3)}, {Id(1)}, '01900000-0000-7000-8000-000000000000', '01900000-0000-7000-8000-000000000001', now(), 120, 'bench', 'completion'
            FROM generate_series(1, {count}) AS i {conflict};
            INSERT INTO completion_query (meta_query_id) SELECT {Id(4)} FROM generate_series(1, {count}) AS i {conflict};
            INSERT INTO had_generation (meta_query_id, model_id, completion, generation_time, confidence, logprobs)
            SELECT {Id(4)}, {model}, p.completion, 85, 0.8, ARRAY[{logprobs}]::double precision[] FROM generate_series(1, {count}) AS i JOIN pool p ON p.k = i % 1000 {conflict};
            COMMIT;
            """);
        var before = await ScalarAsync<long>(dataSource, TableBytesSql);
        var timing = await MeasureAsync(cluster, count, async () =>
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        });
        var after = await ScalarAsync<long>(dataSource, TableBytesSql);
        await Check(dataSource, count);
        return new(count / timing.Seconds, (after - before) / (double)count, timing);
    }

    private static SessionStartedEvent Session(Guid sessionId) =>
        new(Guid.CreateVersion7(), DateTimeOffset.UtcNow, sessionId, "bench-ide", "1.0.0", ["/bench/project"]);

    private static List<CompletionQueryEvent> Events(Guid sessionId, int count, Random random)
    {
        var events = new List<CompletionQueryEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var at = DateTimeOffset.UtcNow;
            events.Add(new CompletionQueryEvent(
                Guid.CreateVersion7(at), at, Guid.CreateVersion7(at), sessionId, "/bench/project",
                new ContextRecord(Guid.CreateVersion7(at), Text(random, PrefixChars), Text(random, SuffixChars), "bench.py", null),
                new ContextualTelemetry(Guid.CreateVersion7(at), "1.0.0", "bench-ide", CompletionTrigger.Auto, "python", "/bench/project/bench.py", 40, 2048, 0.75),
                new BehavioralTelemetry(Guid.CreateVersion7(at), 1200, 30_000, 3.2),
                [new GenerationRecord("bench-model", Text(random, CompletionChars), 85, 0.8, s_logprobs, [], false)],
                120,
                "bench"));
        }

        return events;
    }

    internal static string Text(Random random, int length) => string.Create(length, random, static (span, r) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = Alphabet[r.Next(Alphabet.Length)];
        }
    });

    private static async Task Check(NpgsqlDataSource dataSource, int expected)
    {
        var stored = await ScalarAsync<long>(dataSource, "SELECT count(*) FROM had_generation");
        if (stored != expected)
        {
            throw new InvalidOperationException($"Expected {expected} had_generation rows, found {stored}.");
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
