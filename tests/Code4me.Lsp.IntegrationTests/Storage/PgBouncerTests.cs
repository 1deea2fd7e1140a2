using System.Text.Json;
using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.IntegrationTests.Telemetry;
using Code4me.Lsp.Rpc;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres;
using Code4me.Lsp.Storage.Postgres.Migrations;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Code4me.Lsp.Storage.Postgres.Users;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Storage;

/// <summary>
/// Everything a study's editors and its researchers run, through a real PgBouncer in transaction pooling mode with
/// <see cref="PgBouncerServer.PoolSize"/> server connections (<see cref="PgBouncerServer"/>): nothing may need a
/// PostgreSQL session across transactions. The connection strings are the tests' own with only host and port changed.
/// <c>migrate</c>, which does need one, refuses.
/// </summary>
public sealed class PgBouncerTests(DatabaseFixture fixture, ITestOutputHelper output) : IClassFixture<DatabaseFixture>, IDisposable
{
    private const int Writers = 6;
    private const int QueriesPerWriter = 3;
    private readonly XunitLoggerProvider _logs = new(output);

    public void Dispose() => _logs.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]   // no DISCARD ALL between transactions: nothing cleans up after one but the transaction itself
    public async Task TelemetryWriters_SixAtOnceThroughTwoServerConnections_StoreEveryQueryOnceAndTheirReplaysNothingTwice(bool noResetOnClose)
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        var login = await fixture.Database.CreateLoginAsync("code4me_writer");
        var role = new NpgsqlConnectionStringBuilder(login).Username!;
        var writers = new List<(PostgresTelemetryWriter Writer, SampleEvents Events, List<CompletionQueryEvent> Queries, NpgsqlDataSource DataSource)>();
        for (var i = 0; i < Writers; i++)
        {
            // One data source per writer, as every editor runs its own server: 6 clients of PgBouncer, 2 connections behind it.
            var dataSource = PostgresDataSource.Create(bouncer.Through(login, noResetOnClose));
            var events = new SampleEvents($"bouncer{i}-");
            writers.Add((new PostgresTelemetryWriter(dataSource, new ReferenceData(dataSource), Options.Create(new Code4meStorageOptions()),
                new LoggerFactory([_logs]).CreateLogger<PostgresTelemetryWriter>()) { Machine = "machine-" + i }, events, Queries(events), dataSource));
        }

        try
        {
            await Task.WhenAll(writers.Select(async w =>
            {
                var batch = SampleEvents.Records([w.Events.Session, .. w.Queries]);
                await w.Writer.WriteAsync(batch, TimeoutToken.Create(TimeSpan.FromMinutes(1)));
                await w.Writer.WriteAsync(batch, TimeoutToken.Create(TimeSpan.FromMinutes(1)));   // the replay: staged in temp tables
            }));

            Assert.All(writers, w => Assert.Equal((1, 0), (w.Writer.StagedBatchCount, w.Writer.SkippedCount)));
            foreach (var (_, events, queries, _) in writers)
            {
                Assert.Equal(
                    (1L, (long)QueriesPerWriter, (long)QueriesPerWriter, (long)QueriesPerWriter * 2, (long)QueriesPerWriter * 2),
                    Assert.Single(await fixture.Database.QueryAsync<(long, long, long, long, long)>(
                        """
                        SELECT (SELECT count(*) FROM session WHERE session_id = @Session),
                               (SELECT count(*) FROM meta_query WHERE session_id = @Session),
                               (SELECT count(*) FROM context WHERE context_id = ANY(@Contexts)),
                               (SELECT count(*) FROM had_generation WHERE meta_query_id = ANY(@Queries)),
                               (SELECT count(DISTINCT (meta_query_id, model_id)) FROM had_generation WHERE meta_query_id = ANY(@Queries))
                        """,
                        new { Session = events.SessionId, Contexts = queries.Select(q => q.Context!.ContextId).ToArray(), Queries = queries.Select(q => q.QueryId).ToArray() })));
            }

            // The writers talked to PgBouncer: it announces a process id of its own, not the one of the PostgreSQL session.
            await using (var connection = await writers[0].DataSource.OpenConnectionAsync(TimeoutToken.Create()))
            await using (var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection))
            {
                Assert.NotEqual(connection.ProcessID, (int)(await command.ExecuteScalarAsync(TimeoutToken.Create()))!);
            }

            // PgBouncer held no more than its pool: the six writers really shared two PostgreSQL sessions.
            var sessions = await fixture.Database.ScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND usename = @Role", new { Role = role });
            Assert.InRange(sessions, 1, PgBouncerServer.PoolSize);
        }
        finally
        {
            foreach (var w in writers)
            {
                await w.DataSource.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Pipeline_WritesRefusedForAWhileThroughPgBouncer_ReplaysTheSpoolAndStoresEveryEventOnce()
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        var spool = Directory.CreateTempSubdirectory("code4me-bouncer-spool-");
        await using var dataSource = PostgresDataSource.Create(bouncer.Through(await fixture.Database.CreateLoginAsync("code4me_writer")));
        var loggers = new LoggerFactory([_logs]);
        var writer = new PostgresTelemetryWriter(
            dataSource, new ReferenceData(dataSource), Options.Create(new Code4meStorageOptions()), loggers.CreateLogger<PostgresTelemetryWriter>())
        {
            Machine = "bouncer-outage",
        };
        var failed = new FailureSignal(writer);
        var s = new SampleEvents("bouncer-outage");
        try
        {
            // The outage: the database refuses the writer's inserts (as while a grant is missing or a disk is full), so
            // every attempt fails after PgBouncer passed it on; the batch stays in the spool and is offered again.
            await fixture.Database.ExecuteAsync("REVOKE INSERT ON context FROM code4me_writer");
            await using var pipeline = new TelemetryPipeline(
                Options.Create(new SpoolOptions { Directory = spool.FullName, BatchWindowMs = 5, RetryBaseDelayMs = 20, RetryMaxDelayMs = 200, BreakDurationMs = 500 }),
                [failed], [], [], TimeProvider.System, loggers.CreateLogger<TelemetryPipeline>());
            await pipeline.StartAsync(TimeoutToken.Create());
            foreach (var e in s.All)
            {
                pipeline.Enqueue(e);
            }

            await failed.Failure.WaitAsync(TimeoutToken.Create());
            await fixture.Database.ExecuteAsync("GRANT INSERT ON context TO code4me_writer");

            Assert.True(await pipeline.FlushAsync(TimeoutToken.Create(TimeSpan.FromMinutes(1))));
            Assert.Equal((0L, 0), (pipeline.DroppedCount, writer.SkippedCount));
        }
        finally
        {
            await fixture.Database.ExecuteAsync("GRANT INSERT ON context TO code4me_writer");
            spool.Delete(recursive: true);
        }

        Assert.Equal(SampleEvents.AllStoredOnce, await fixture.Database.ScalarAsync<string>(SampleEvents.AllStoredOnceSql, s.Keys));
    }

    [Fact]
    public async Task PublishedServer_DatabaseAtPgBouncer_StoresItsAcceptedCompletionOnce()
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        var database = bouncer.Through(await fixture.Database.CreateLoginAsync("code4me_writer"));
        var spool = Directory.CreateTempSubdirectory("code4me-bouncer-exe-spool-");
        try
        {
            Guid queryId;
            await using (var server = ServerProcess.Start(
                "--config", $"Code4me:Telemetry:Spool:Directory={spool.FullName}",
                "--config", $"Code4me:Database:ConnectionString={database}",
                "--config", "Code4me:Telemetry:Consent:Enabled=true",
                "--config", "Code4me:Telemetry:Consent:StoreContext=true",
                "--config", "Code4me:Telemetry:Consent:StoreContextual=true",
                "--config", "Code4me:Telemetry:Consent:StoreBehavioral=true"))
            {
                var raw = server.Connection;
                await raw.RequestAsync(1, LspMethods.Initialize, new { processId = (int?)null, capabilities = new { } });
                await raw.ReadResultAsync(1);
                await raw.NotifyAsync(LspMethods.Initialized, new { });
                await raw.NotifyAsync(LspMethods.TextDocumentDidOpen, new
                {
                    textDocument = new { uri = "file:///w/a.py", languageId = "python", version = 1, text = "x = np.loadtxt(path)\ny = np.loadtxt(" },
                });
                await raw.RequestAsync(2, LspMethods.TextDocumentInlineCompletion, new
                {
                    textDocument = new { uri = "file:///w/a.py" },
                    position = new { line = 1, character = 15 },
                    context = new { triggerKind = 1 },
                });
                var item = (await raw.ReadResultAsync(2)).GetProperty("items")[0];
                var arguments = item.GetProperty("command").GetProperty("arguments");
                queryId = arguments[0].GetProperty("queryId").GetGuid();
                await raw.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item });
                await raw.RequestAsync(3, LspMethods.WorkspaceExecuteCommand, new { command = "code4me.acceptCompletion", arguments });
                await raw.ReadResultAsync(3);   // answered once the acceptance is durable in the spool
                await raw.RequestAsync(4, LspMethods.Shutdown, null);
                await raw.ReadResultAsync(4);
                await raw.NotifyAsync(LspMethods.Exit, null);
                Assert.Equal(0, await server.WaitForExitAsync());
            }

            // Whatever the server had not uploaded in its last seconds goes now, through PgBouncer too.
            var flush = await CliRunner.RunAsync("telemetry", "flush", "--database", database, "--spool", spool.FullName);
            Assert.Equal((0, ""), (flush.ExitCode, flush.Error));
            Assert.Equal((1L, true), Assert.Single(await fixture.Database.QueryAsync<(long, bool)>(
                "SELECT count(*) OVER (), was_accepted FROM had_generation WHERE meta_query_id = @Id", new { Id = queryId })));
        }
        finally
        {
            spool.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ChatStore_ThroughPgBouncer_WritesAnExchangeAndReadsItBackForItsOwnerOnly()
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        var users = new UserRepository(fixture.Database.DataSource);
        var alice = await users.CreateAsync($"alice-{Guid.NewGuid():N}@example.org", "Alice", "Correct-Horse-9", TimeoutToken.Create());
        var bob = await users.CreateAsync($"bob-{Guid.NewGuid():N}@example.org", "Bob", "Correct-Horse-9", TimeoutToken.Create());
        await using var writer = PostgresDataSource.Create(bouncer.Through(await fixture.Database.CreateLoginAsync("code4me_writer")));
        using var aliceStore = ChatStores.NewPostgresChatStore(writer, alice.AuthToken);
        using var bobStore = ChatStores.NewPostgresChatStore(writer, bob.AuthToken);
        var chat = new ChatRecord(Guid.CreateVersion7(), "Through the pooler", DateTimeOffset.UtcNow, "http://p", "m", "sys", 100);
        var queryId = Guid.CreateVersion7();

        await aliceStore.CreateChatAsync(chat, TimeoutToken.Create());
        await aliceStore.AddExchangeAsync(
            new ChatExchange(queryId, chat.ChatId, DateTimeOffset.UtcNow, "q", "a", "m", ChatOutcome.Completed, 5, 1, 1, false, 0.5m, 0, false, null, null),
            TimeoutToken.Create());

        var found = await aliceStore.FindChatAsync(chat.ChatId, TimeoutToken.Create());
        var exchange = Assert.Single(await aliceStore.GetExchangesAsync(chat.ChatId, TimeoutToken.Create()));
        Assert.Equal(("Through the pooler", "sys"), (found!.Title, found.SystemPrompt));
        Assert.Equal((queryId, "q", "a", ChatOutcome.Completed), (exchange.QueryId, exchange.Message, exchange.Reply, exchange.Outcome));
        Assert.Equal(chat.ChatId, Assert.Single((await aliceStore.ListChatsAsync(0, 10, TimeoutToken.Create())).Chats).ChatId);
        Assert.Null(await bobStore.FindChatAsync(chat.ChatId, TimeoutToken.Create()));
        Assert.Empty(await bobStore.GetExchangesAsync(chat.ChatId, TimeoutToken.Create()));
        Assert.Equal(alice.UserId, await fixture.Database.ScalarAsync<Guid>(
            "SELECT mq.user_id FROM meta_query mq JOIN chat_query cq USING (meta_query_id) WHERE cq.chat_id = @ChatId", new { chat.ChatId }));
    }

    [Fact]
    public async Task UserCreateDataExportAndDelete_DatabaseAtPgBouncer_CreateTheUserExportTheirDataAndDeleteIt()
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        await using var db = await bouncer.Postgres.CreateDatabaseAsync();
        await using (var connection = await db.DataSource.OpenConnectionAsync(TimeoutToken.Create()))
        await using (var transaction = await connection.BeginTransactionAsync(TimeoutToken.Create()))
        {
            await TelemetryGraph.InsertAsync(connection, transaction);
            await transaction.CommitAsync(TimeoutToken.Create());
        }

        var through = bouncer.Through(db.ConnectionString);
        var created = await CliRunner.RunWithInputAsync("Correct-Horse-9\n", "user", "create", "--email", "ada@example.org", "--name", "Ada", "--database", through);
        var export = await CliRunner.RunAsync("data", "export", "--user", TelemetryGraph.UserId.ToString(), "--database", through);
        var delete = await CliRunner.RunAsync("data", "delete", "--user", TelemetryGraph.UserId.ToString(), "--database", through);   // temp table ON COMMIT DROP

        Assert.Equal((0, ""), (created.ExitCode, created.Error));
        var token = Guid.Parse(created.Out.Split("shown once, keep it secret): ")[1].Trim());
        Assert.NotNull(await new UserRepository(db.DataSource).FindByAuthTokenAsync(token, TimeoutToken.Create()));
        Assert.Equal((0, ""), (export.ExitCode, export.Error));
        using var json = JsonDocument.Parse(export.Out);
        Assert.Equal("Graph", json.RootElement.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("queries").GetArrayLength());
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'data_exported' AND user_id = @Id", new { Id = TelemetryGraph.UserId }));
        Assert.Equal((0, ""), (delete.ExitCode, delete.Error));
        Assert.Equal((0L, 0L, 1L), (await db.ScalarAsync<long>("SELECT count(*) FROM meta_query"), await db.ScalarAsync<long>("SELECT count(*) FROM session"),
            await db.ScalarAsync<long>("SELECT count(*) FROM \"user\"")));   // the graph's user and all their data gone; Ada stays
    }

    [Theory]
    [InlineData("up")]
    [InlineData("down")]
    public async Task Migrate_DatabaseAtPgBouncer_RefusesInOneLineAndChangesNothing(string direction)
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        await using var db = await bouncer.Postgres.CreateEmptyDatabaseAsync();
        if (direction == "down")
        {
            var direct = await CliRunner.RunAsync("migrate", "up", "--database", db.ConnectionString);   // directly: allowed
            Assert.Equal((0, ""), (direct.ExitCode, direct.Error));
        }

        var before = await db.ScalarAsync<string>(Relations);
        string[] args = direction == "up" ? ["migrate", "up"] : ["migrate", "down", "0"];
        var result = await CliRunner.RunAsync([.. args, "--database", bouncer.Through(db.ConnectionString)]);

        Assert.Equal((1, "", Migrator.PoolerMessage + Environment.NewLine), (result.ExitCode, result.Out, result.Error));
        Assert.Equal(before, await db.ScalarAsync<string>(Relations));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()"));
        var status = await CliRunner.RunAsync("migrate", "status", "--database", bouncer.Through(db.ConnectionString));   // only reads: allowed
        Assert.Equal((0, ""), (status.ExitCode, status.Error));
    }

    // What the database holds, in a form that exists before the first migration too.
    private const string Relations = "SELECT count(*) || ' relations, ' || (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace) || ' functions' FROM pg_class WHERE relnamespace = 'public'::regnamespace";

    /// <summary>Distinct queries of one session, each with its own ids.</summary>
    private static List<CompletionQueryEvent> Queries(SampleEvents s) =>
    [
        .. Enumerable.Range(0, QueriesPerWriter).Select(i =>
        {
            var at = SampleEvents.T0.AddSeconds(10 + i);
            return s.Query with
            {
                EventId = Guid.CreateVersion7(at),
                OccurredAt = at,
                QueryId = Guid.CreateVersion7(at),
                Context = new ContextRecord(Guid.CreateVersion7(at), $"def f{i}(x):\n    return ", $"\n# after {i}", $"f{i}.py", null),
                Contextual = s.Query.Contextual! with { ContextualTelemetryId = Guid.CreateVersion7(at), CaretLine = i },
                Behavioral = new BehavioralTelemetry(Guid.CreateVersion7(at), 250 * i, 1000 + i, 0.5 * i),
            };
        }),
    ];
}
