using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.IntegrationTests.Spool;

/// <summary>Queue → batcher → spool → writer with real files and a scripted writer.</summary>
public sealed class TelemetryPipelineTests(ITestOutputHelper output) : SpoolTestBase(output)
{
    [Fact]
    public async Task Writer_FailingThenSucceeding_ReceivesEveryEventExactlyOnceInOrder()
    {
        var writer = new ScriptedBatchWriter(failures: 4);
        var pipeline = Create(writer);
        await pipeline.StartAsync(TestTimeout.Token());
        var events = Events(50);
        foreach (var e in events)
        {
            pipeline.Enqueue(e);
        }

        Assert.True(await pipeline.FlushAsync(TestTimeout.Token()));
        Assert.True(writer.Calls > 4);
        Assert.Equal(events.Select(e => e.EventId), writer.Written.Select(r => r.Event.EventId));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), writer.Written.Select(r => r.Sequence));
        Assert.True(pipeline.Spool.IsEmpty);
        await pipeline.StopAsync(TestTimeout.Token());
        Assert.Empty(Dir.Segments());
        Assert.Contains(Logs.Lines, l => l.Contains("retrying in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Writer_FailingSeveralTimes_WarnsOncePerOutageInOneLineAndSaysWhenItIsBack()
    {
        var writer = new ScriptedBatchWriter(failures: 5);
        var pipeline = Create(writer);
        await pipeline.StartAsync(TestTimeout.Token());
        foreach (var e in Events(10))
        {
            pipeline.Enqueue(e);
        }

        Assert.True(await pipeline.FlushAsync(TestTimeout.Token()));
        await pipeline.StopAsync(TestTimeout.Token());

        Assert.True(writer.Calls > 5);
        var warnings = Logs.Lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal)).ToList();
        var outage = Assert.Single(warnings);
        Assert.Contains("The research database is unavailable: database unavailable (scripted).", outage, StringComparison.Ordinal);
        Assert.DoesNotContain(Environment.NewLine, outage, StringComparison.Ordinal);   // no exception, no stack trace
        Assert.Single(Logs.Lines, l => l.StartsWith("Information", StringComparison.Ordinal) && l.Contains("reachable again", StringComparison.Ordinal));
        // Each attempt, with its exception, is there for whoever turns Debug on.
        Assert.True(Logs.Lines.Count(l => l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("retrying in", StringComparison.Ordinal)) >= 5);
    }

    [Fact]
    public async Task Spool_HeldByOtherServersEverywhere_PipelineStartsAnywayAndSaysTelemetryIsNotRecorded()
    {
        // The base directory and its 16 instance directories, each held as another running server would hold it.
        var held = Enumerable.Range(0, 17).Select(_ => DurableSpool.Open(Dir.Path, 1 << 20, 1L << 30, 80, Logs.CreateLogger("held"))).ToList();
        try
        {
            var writer = new ScriptedBatchWriter();
            var pipeline = Create(writer);

            await pipeline.StartAsync(TestTimeout.Token());   // the server, and its completions, go on
            pipeline.Enqueue(Events(1)[0]);

            Assert.False(await pipeline.FlushAsync(TestTimeout.Token()));
            await pipeline.StopAsync(TestTimeout.Token());
            Assert.Empty(writer.Written);
            Assert.Single(Logs.Lines, l => l.Contains($"The telemetry spool {Dir.Path} could not be opened", StringComparison.Ordinal));
            Assert.DoesNotContain(Logs.Lines, l => l.Contains("failed unexpectedly", StringComparison.Ordinal));   // said once, not twice
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Restart_WithUnacknowledgedEvents_ReplaysThemToTheWriterOnce()
    {
        var events = Events(20);
        var offline = Create(writer: null);
        await offline.StartAsync(TestTimeout.Token());
        foreach (var e in events)
        {
            offline.Enqueue(e);
        }

        Assert.False(await offline.FlushAsync(TestTimeout.Token()));   // no database: it stays spooled
        await offline.StopAsync(TestTimeout.Token());
        Assert.NotEmpty(Dir.Segments());

        var writer = new ScriptedBatchWriter();
        var online = Create(writer);
        await online.StartAsync(TestTimeout.Token());
        Assert.True(await online.FlushAsync(TestTimeout.Token()));
        await online.StopAsync(TestTimeout.Token());
        Assert.Equal(events.Select(e => e.EventId), writer.Written.Select(r => r.Event.EventId));
        Assert.All(writer.Written, r => Assert.Equal(events[(int)r.Sequence - 1], r.Event));

        var again = new ScriptedBatchWriter();
        var third = Create(again);
        await third.StartAsync(TestTimeout.Token());
        Assert.True(await third.FlushAsync(TestTimeout.Token()));
        await third.StopAsync(TestTimeout.Token());
        Assert.Empty(again.Written);
        Assert.Equal(0, again.Calls);
    }

    [Fact]
    public async Task Enqueue_WhileTheWriterKeepsFailing_StillSpoolsEveryEvent()
    {
        var writer = new ScriptedBatchWriter { AlwaysFail = true };
        var pipeline = Create(writer);
        await pipeline.StartAsync(TestTimeout.Token());
        foreach (var e in Events(100))
        {
            pipeline.Enqueue(e);
        }

        await pipeline.SpoolQueuedAsync(TestTimeout.Token());
        Assert.Equal(100, pipeline.Spool.LastSequence);
        Assert.Equal(0, pipeline.Spool.AcknowledgedSequence);
        await pipeline.StopAsync(TestTimeout.Token());   // gives up uploading after ShutdownUploadMs; keeps the spool

        var writer2 = new ScriptedBatchWriter();
        var next = Create(writer2);
        await next.StartAsync(TestTimeout.Token());
        Assert.True(await next.FlushAsync(TestTimeout.Token()));
        await next.StopAsync(TestTimeout.Token());
        Assert.Equal(100, writer2.Written.Count);
    }

    [Fact]
    public void Enqueue_QueueFull_DropsAndCountsWithoutBlocking()
    {
        var alerts = new RecordingAlerts();
        var pipeline = Create(writer: null, queueCapacity: 1, alerts: alerts);   // not started: nothing drains the queue
        foreach (var e in Events(5))
        {
            pipeline.Enqueue(e);
        }

        Assert.Equal(4, pipeline.DroppedCount);
        Assert.Equal(4, alerts.LastDropped);
        Assert.Single(Logs.Lines, l => l.Contains("Telemetry queue is full", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replay_ConsentReducedAfterSpooling_WritesOnlyWhatTheNewConsentAllows()
    {
        var at = DateTimeOffset.UtcNow;
        var query = Guid.CreateVersion7(at);
        var offline = Create(writer: null);
        await offline.StartAsync(TestTimeout.Token());
        offline.Enqueue(new CompletionQueryEvent(
            Guid.CreateVersion7(at), at, query, Guid.CreateVersion7(at), null,
            new ContextRecord(Guid.CreateVersion7(at), "def f(", ")", "/w/a.py", null),
            new ContextualTelemetry(Guid.CreateVersion7(at), "1", "ide", CompletionTrigger.Manual, "python", "/w/a.py", 0, 7, 0.8),
            new BehavioralTelemetry(Guid.CreateVersion7(at), null, null, 0.5),
            [new GenerationRecord("m", "x", 1, 0.5, [], [], false)], 3, "1"));
        offline.Enqueue(new GroundTruthEvent(Guid.CreateVersion7(at), at, query, 15, at, "x)", "def f(", ""));
        offline.Enqueue(new ShownEvent(Guid.CreateVersion7(at), at, query, "m"));
        Assert.False(await offline.FlushAsync(TestTimeout.Token()));
        await offline.StopAsync(TestTimeout.Token());

        var writer = new ScriptedBatchWriter();
        var online = Create(writer, filter: new FixedConsent(new ConsentLevel(Enabled: true, StoreContext: false, StoreContextual: true, StoreBehavioral: false)));
        await online.StartAsync(TestTimeout.Token());
        Assert.True(await online.FlushAsync(TestTimeout.Token()));
        await online.StopAsync(TestTimeout.Token());

        var written = writer.Written.Select(r => r.Event).ToList();
        var completion = Assert.Single(written.OfType<CompletionQueryEvent>());
        Assert.Null(completion.Context);
        Assert.Null(completion.Behavioral);
        Assert.NotNull(completion.Contextual);
        Assert.Empty(written.OfType<GroundTruthEvent>());
        Assert.Single(written.OfType<ShownEvent>());
    }

    [Fact]
    public async Task StartStop_NothingEnqueued_LeavesZeroSpoolBytes()
    {
        var pipeline = Create(new ScriptedBatchWriter());
        await pipeline.StartAsync(TestTimeout.Token());
        Assert.True(await pipeline.FlushAsync(TestTimeout.Token()));
        Assert.Equal(0, pipeline.Spool.TotalBytes);
        Assert.True(pipeline.Spool.IsEmpty);
        await pipeline.StopAsync(TestTimeout.Token());
        Assert.Empty(Dir.Segments());
    }

    [Fact]
    public async Task AddCode4meSpool_WithTelemetry_ResolvesThePipelineAsSinkAndHostedService()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Code4me:Telemetry:Spool:Directory"] = Dir.Path,
            ["Code4me:Telemetry:Spool:BatchWindowMs"] = "0",
        }).Build();
        var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(Logs))
            .AddSingleton<Core.Session.EditorSession>()
            .AddCode4meTelemetry(configuration)
            .AddCode4meSpool(configuration);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var pipeline = Assert.IsType<TelemetryPipeline>(provider.GetRequiredService<ITelemetrySink>());
        Assert.Contains(pipeline, provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>());
        Assert.Equal(Dir.Path, provider.GetRequiredService<IOptions<SpoolOptions>>().Value.EffectiveDirectory);

        await pipeline.StartAsync(TestTimeout.Token());
        provider.GetRequiredService<TelemetrySession>().Start(new ClientIdentity("Neovim", "1"), []);
        Assert.False(await pipeline.FlushAsync(TestTimeout.Token()));
        Assert.Equal(1, pipeline.Spool.LastSequence);
        await pipeline.StopAsync(TestTimeout.Token());
    }

    [Fact]
    public async Task ConsentOff_SpooledRecordsWait_NeitherWrittenNorDiscarded_UntilConsentIsOnAgain()
    {
        var writer = new ScriptedBatchWriter();
        var consent = new SwitchableConsent(enabled: false);
        var pipeline = Create(writer, filter: consent);
        await pipeline.StartAsync(TestTimeout.Token());
        var events = Events(5);
        foreach (var e in events)
        {
            pipeline.Enqueue(e);   // spooled by an earlier run with consent, say: the pipeline is handed them as the spool's
        }

        Assert.False(await pipeline.FlushAsync(TestTimeout.Token()));   // returns: it does not hang on consent
        Assert.Empty(writer.Written);
        Assert.Equal(0, pipeline.Spool.AcknowledgedSequence);

        consent.Set(enabled: true);
        Assert.True(await pipeline.FlushAsync(TestTimeout.Token()));
        Assert.Equal(events.Select(e => e.EventId), writer.Written.Select(r => r.Event.EventId));
        await pipeline.StopAsync(TestTimeout.Token());
        Assert.Single(Logs.Lines, l => l.Contains("Telemetry consent is off", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Withdrawal_DiscardsWhatWasSpooledBeforeIt_KeepsTheConsentRecords()
    {
        var pipeline = Create(writer: null);
        await pipeline.StartAsync(TestTimeout.Token());
        var at = DateTimeOffset.UtcNow;
        var on = new ConsentLevel(true, true, true, true);
        var off = new ConsentLevel(false, true, true, true);
        var given = new ConsentChangedEvent(Guid.CreateVersion7(at), at, Guid.NewGuid(), ConsentLevel.None, on, "initializationOptions");
        var withdrawn = new ConsentChangedEvent(Guid.CreateVersion7(at), at.AddSeconds(1), given.SessionId, on, off, "workspace/didChangeConfiguration");
        pipeline.Enqueue(given);
        foreach (var e in Events(3))
        {
            pipeline.Enqueue(e);
        }

        await pipeline.SpoolQueuedAsync(TestTimeout.Token());
        pipeline.Enqueue(withdrawn);
        await pipeline.SpoolQueuedAsync(TestTimeout.Token());

        var spool = pipeline.Spool;
        var left = spool.ReadAfter(spool.AcknowledgedSequence, 100)
            .Select(r => System.Text.Json.JsonSerializer.Deserialize(r.Payload, TelemetryJsonContext.Default.TelemetryEvent)!.EventId);
        Assert.Equal([given.EventId, withdrawn.EventId], left);
        await pipeline.StopAsync(TestTimeout.Token());
        Assert.Single(Logs.Lines, l => l.Contains("3 spooled event(s) discarded", StringComparison.Ordinal));
    }

    private TelemetryPipeline Create(ScriptedBatchWriter? writer, int queueCapacity = 10_000, RecordingAlerts? alerts = null, ITelemetryEventFilter? filter = null)
    {
        var options = Options.Create(new SpoolOptions
        {
            Directory = Dir.Path,
            QueueCapacity = queueCapacity,
            BatchSize = 16,
            BatchWindowMs = 5,
            WriteBatchSize = 7,
            RetryBaseDelayMs = 1,
            RetryMaxDelayMs = 20,
            BreakDurationMs = 500,
            ShutdownUploadMs = 100,
        });
        return new TelemetryPipeline(
            options,
            writer is null ? [] : [writer],
            alerts is null ? [] : [alerts],
            filter is null ? [] : [filter],
            TimeProvider.System,
            new LoggerFactory([Logs]).CreateLogger<TelemetryPipeline>());
    }

    private static List<TelemetryEvent> Events(int count)
    {
        var at = DateTimeOffset.UtcNow;
        return [.. Enumerable.Range(0, count).Select(i => (TelemetryEvent)new ShownEvent(Guid.CreateVersion7(at), at.AddMilliseconds(i), Guid.CreateVersion7(at), $"m{i}"))];
    }
}
