using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Telemetry;

/// <summary>
/// Telemetry recorded with consent survives a restart of the published executable, whichever way the consent was given,
/// however the first run ended and whether or not the database was there: every query the editor was answered for and
/// accepted lands once. The second run uploads what the first left only after the editor's settings are in: judged by
/// the default (off) before that, it used to be discarded and marked uploaded. Also: consent off at a restart keeps the
/// spool; a withdrawal discards it for good.
/// </summary>
public sealed class ConsentAcrossRestartsTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>, IDisposable
{
    private const string Uri = "file:///w/main.py";
    private const string Unreachable = "Host=/nonexistent/code4me-no-database;Database=none;Username=none;Timeout=1";
    private static readonly object s_fullConsent = new { enabled = true, storeContext = true, storeContextual = true, storeBehavioral = true };
    private static readonly object s_noConsent = new { enabled = false };

    private readonly DirectoryInfo _spool = Directory.CreateTempSubdirectory("code4me-restart-spool-");

    public enum ConsentSource
    {
        InitializationOptions,
        DidChangeConfiguration,
        CommandLine,
        Environment,
    }

    public enum FirstRunEnd
    {
        Shutdown,
        Sigkill,
    }

    public enum DatabaseAtFirstRun
    {
        Away,
        Up,
    }

    public static TheoryData<ConsentSource, FirstRunEnd, DatabaseAtFirstRun> Cases()
    {
        var cases = new TheoryData<ConsentSource, FirstRunEnd, DatabaseAtFirstRun>();
        foreach (var source in Enum.GetValues<ConsentSource>())
        {
            foreach (var end in Enum.GetValues<FirstRunEnd>())
            {
                foreach (var database in Enum.GetValues<DatabaseAtFirstRun>())
                {
                    cases.Add(source, end, database);
                }
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AcceptedQueries_AfterARestart_AreStoredExactlyOnce(ConsentSource source, FirstRunEnd end, DatabaseAtFirstRun database)
    {
        List<Guid> accepted;
        await using (var first = Start(source, database == DatabaseAtFirstRun.Up ? fixture.Database.ConnectionString : Unreachable))
        {
            await InitializeAsync(first.Connection, source, s_fullConsent);
            accepted = await CompleteShowAndAcceptAsync(first.Connection, rounds: 4);
            await EndAsync(first, end);
        }

        if (database == DatabaseAtFirstRun.Away)
        {
            Assert.Equal(0, await StoredAsync(accepted));
        }

        await using (var second = Start(source, fixture.Database.ConnectionString))
        {
            await InitializeAsync(second.Connection, source, s_fullConsent);
            await WaitUntilStoredAsync(accepted);
            await EndAsync(second, FirstRunEnd.Shutdown);
        }

        Assert.Equal(accepted.Count, await StoredAsync(accepted));
        Assert.Equal(accepted.Count, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM had_generation WHERE was_accepted AND meta_query_id = ANY(@Ids)", new { Ids = accepted.ToArray() }));
        Assert.Equal(accepted.Count, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM meta_query m JOIN context c USING (context_id) WHERE m.meta_query_id = ANY(@Ids) AND c.prefix IS NOT NULL",
            new { Ids = accepted.ToArray() }));
        Assert.StartsWith("0 pending event(s)", PendingLine(await ServerProcess.RunAsync("telemetry", "status", "--spool", _spool.FullName)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepeatedSigkills_WithTheDatabaseAwayThenBack_NothingAcknowledgedIsLostOrDuplicated()
    {
        var accepted = new List<Guid>();
        for (var run = 0; run < 4; run++)
        {
            await using var server = Start(ConsentSource.InitializationOptions, run < 2 ? Unreachable : fixture.Database.ConnectionString);
            await InitializeAsync(server.Connection, ConsentSource.InitializationOptions, s_fullConsent);
            accepted.AddRange(await CompleteShowAndAcceptAsync(server.Connection, rounds: 3));
            await EndAsync(server, FirstRunEnd.Sigkill);
        }

        await using (var last = Start(ConsentSource.InitializationOptions, fixture.Database.ConnectionString))
        {
            await InitializeAsync(last.Connection, ConsentSource.InitializationOptions, s_fullConsent);
            await WaitUntilStoredAsync(accepted);
            await EndAsync(last, FirstRunEnd.Shutdown);
        }

        var ids = accepted.ToArray();
        Assert.Equal(12, ids.Distinct().Count());
        Assert.Equal(12, await StoredAsync(accepted));
        Assert.Equal(12, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM generation_feedback WHERE kind = 'accepted' AND meta_query_id = ANY(@Ids)", new { Ids = ids }));
        Assert.Equal(12, await fixture.Database.ScalarAsync<long>(
            "SELECT coalesce(sum(cardinality(shown_at)), 0) FROM had_generation WHERE meta_query_id = ANY(@Ids)", new { Ids = ids }));
    }

    [Fact]
    public async Task ConsentOffAtARestart_KeepsTheSpool_AndConsentOnLaterUploadsIt()
    {
        List<Guid> accepted;
        await using (var first = Start(ConsentSource.InitializationOptions, Unreachable))
        {
            await InitializeAsync(first.Connection, ConsentSource.InitializationOptions, s_fullConsent);
            accepted = await CompleteShowAndAcceptAsync(first.Connection, rounds: 2);
            await EndAsync(first, FirstRunEnd.Shutdown);
        }

        await using (var second = Start(ConsentSource.InitializationOptions, fixture.Database.ConnectionString))
        {
            await InitializeAsync(second.Connection, ConsentSource.InitializationOptions, s_noConsent);
            await EndAsync(second, FirstRunEnd.Shutdown);
        }

        // Neither uploaded nor discarded: only the record of run 1's consent change may have gone.
        Assert.Equal(0, await StoredAsync(accepted));
        Assert.DoesNotMatch("^0 pending", PendingLine(await ServerProcess.RunAsync("telemetry", "status", "--spool", _spool.FullName)));

        await using (var third = Start(ConsentSource.InitializationOptions, fixture.Database.ConnectionString))
        {
            await InitializeAsync(third.Connection, ConsentSource.InitializationOptions, s_fullConsent);
            await WaitUntilStoredAsync(accepted);
            await EndAsync(third, FirstRunEnd.Shutdown);
        }

        Assert.Equal(accepted.Count, await StoredAsync(accepted));
    }

    [Fact]
    public async Task Withdrawal_DiscardsWhatWasSpooledBeforeIt_ForGood_AndIsAudited()
    {
        List<Guid> accepted;
        await using (var first = Start(ConsentSource.InitializationOptions, Unreachable))
        {
            await InitializeAsync(first.Connection, ConsentSource.InitializationOptions, s_fullConsent);
            accepted = await CompleteShowAndAcceptAsync(first.Connection, rounds: 2);
            await first.Connection.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { code4me = new { telemetry = new { consent = s_noConsent } } } });
            await EndAsync(first, FirstRunEnd.Shutdown);
        }

        // Consent given again later: what was withdrawn stays withdrawn; the record of the withdrawal arrives.
        var auditsBefore = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'consent_changed' AND detail->>'origin' = 'workspace/didChangeConfiguration'");
        await using (var second = Start(ConsentSource.InitializationOptions, fixture.Database.ConnectionString))
        {
            await InitializeAsync(second.Connection, ConsentSource.InitializationOptions, s_fullConsent);
            var later = await CompleteShowAndAcceptAsync(second.Connection, rounds: 1);
            await WaitUntilStoredAsync(later);
            await EndAsync(second, FirstRunEnd.Shutdown);
        }

        Assert.Equal(0, await StoredAsync(accepted));
        Assert.Equal(auditsBefore + 1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE action = 'consent_changed' AND detail->>'origin' = 'workspace/didChangeConfiguration'"));
    }

    public void Dispose() => _spool.Delete(recursive: true);

    private ServerProcess Start(ConsentSource source, string database)
    {
        string[] arguments =
        [
            "--config", $"Code4me:Telemetry:Spool:Directory={_spool.FullName}",
            "--config", $"Code4me:Database:ConnectionString={database}",
            .. source == ConsentSource.CommandLine
                ? new[]
                {
                    "--config", "Code4me:Telemetry:Consent:Enabled=true", "--config", "Code4me:Telemetry:Consent:StoreContext=true",
                    "--config", "Code4me:Telemetry:Consent:StoreContextual=true", "--config", "Code4me:Telemetry:Consent:StoreBehavioral=true",
                }
                : [],
        ];
        var environment = source == ConsentSource.Environment
            ? new Dictionary<string, string>
            {
                ["Code4me__Telemetry__Consent__Enabled"] = "true",
                ["Code4me__Telemetry__Consent__StoreContext"] = "true",
                ["Code4me__Telemetry__Consent__StoreContextual"] = "true",
                ["Code4me__Telemetry__Consent__StoreBehavioral"] = "true",
            }
            : [];
        return ServerProcess.Start(environment, arguments);
    }

    /// <summary>initialize (+ the consent, where the editor gives it) and initialized, as each kind of client does.</summary>
    private static async Task InitializeAsync(RawLspConnection raw, ConsentSource source, object consent)
    {
        var settings = new { telemetry = new { consent } };
        await raw.RequestAsync(1, LspMethods.Initialize, new
        {
            processId = (int?)null,
            capabilities = new { },
            clientInfo = new { name = "restart-test" },
            initializationOptions = source == ConsentSource.InitializationOptions ? settings : null,
        });
        await raw.ReadResultAsync(1);
        await raw.NotifyAsync(LspMethods.Initialized, new { });
        if (source == ConsentSource.DidChangeConfiguration)
        {
            await raw.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { code4me = settings } });
        }
    }

    /// <summary>Asks for a completion, shows it and accepts it, <paramref name="rounds"/> times; the accepted query ids.</summary>
    private static async Task<List<Guid>> CompleteShowAndAcceptAsync(RawLspConnection raw, int rounds)
    {
        await raw.NotifyAsync(LspMethods.TextDocumentDidOpen, new { textDocument = new { uri = Uri, languageId = "python", version = 1, text = "x = np.loadtxt(path, delimiter=',')\ny = np.loadtxt(" } });
        var ids = new List<Guid>();
        for (var round = 0; round < rounds; round++)
        {
            var id = 10 + (round * 2);
            await raw.RequestAsync(id, LspMethods.TextDocumentInlineCompletion, new { textDocument = new { uri = Uri }, position = new { line = 1, character = 15 }, context = new { triggerKind = 1 } });
            var item = (await raw.ReadResultAsync(id)).GetProperty("items")[0];
            var arguments = item.GetProperty("command").GetProperty("arguments");
            ids.Add(arguments[0].GetProperty("queryId").GetGuid());
            await raw.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item });
            await raw.RequestAsync(id + 1, LspMethods.WorkspaceExecuteCommand, new { command = "code4me.acceptCompletion", arguments });
            await raw.ReadResultAsync(id + 1);
        }

        await raw.NotifyAsync(LspMethods.TextDocumentDidClose, new { textDocument = new { uri = Uri } });
        return ids;
    }

    private static async Task EndAsync(ServerProcess server, FirstRunEnd end)
    {
        if (end == FirstRunEnd.Sigkill)
        {
            server.Process.Kill();   // SIGKILL: no shutdown, no flush, right after the last accept was answered
            await server.WaitForExitAsync();
            return;
        }

        await server.Connection.RequestAsync(99, LspMethods.Shutdown, null);
        await server.Connection.ReadResultAsync(99);
        await server.Connection.NotifyAsync(LspMethods.Exit, null);
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    private Task<long> StoredAsync(List<Guid> ids) =>
        fixture.Database.ScalarAsync<long>("SELECT count(*) FROM meta_query WHERE meta_query_id = ANY(@Ids)", new { Ids = ids.ToArray() });

    private async Task WaitUntilStoredAsync(List<Guid> ids)
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Value);
        while (await StoredAsync(ids) < ids.Count)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private static string PendingLine((int ExitCode, string Stdout, string Stderr) status)
    {
        Assert.Equal(0, status.ExitCode);
        return status.Stdout.Split('\n').Single(l => l.Contains("bytes of spool", StringComparison.Ordinal));
    }
}
