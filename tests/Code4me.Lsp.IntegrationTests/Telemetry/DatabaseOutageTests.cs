using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Spool;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.IntegrationTests.Telemetry;

/// <summary>The whole write path (queue → spool → PostgreSQL writer) while PostgreSQL goes away and comes back.</summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output) : SpoolTestBase(output)
{
    [Fact]
    public async Task Pipeline_PostgresStoppedMidRun_EveryEventArrivesOnceAndEnqueueNeverWaits()
    {
        var server = await PostgresServer.StartPrivateAsync();
        await using var db = await server.CreateDatabaseAsync();
        var dataSource = await db.ConnectAsMemberOfAsync("code4me_writer");
        var loggers = new LoggerFactory([Logs]);
        var writer = new PostgresTelemetryWriter(
            dataSource, new ReferenceData(dataSource), Options.Create(new Code4meStorageOptions()), loggers.CreateLogger<PostgresTelemetryWriter>())
        {
            Machine = "outage",
        };
        var pipeline = new TelemetryPipeline(
            Options.Create(new SpoolOptions
            {
                Directory = Dir.Path, BatchSize = 16, BatchWindowMs = 5, WriteBatchSize = 7,
                RetryBaseDelayMs = 20, RetryMaxDelayMs = 200, BreakDurationMs = 500, ShutdownUploadMs = 100,
            }),
            [writer], [], [], TimeProvider.System, loggers.CreateLogger<TelemetryPipeline>());
        await pipeline.StartAsync(TestTimeout.Token());

        var before = new SampleEvents("before");
        Enqueue(pipeline, before.All);
        Assert.True(await pipeline.FlushAsync(TestTimeout.Token()));

        await server.StopAsync();
        var during = Enumerable.Range(0, 4).Select(i => new SampleEvents($"during{i}")).ToList();
        foreach (var s in during)
        {
            Enqueue(pipeline, s.All);   // synchronous: returns at once, whatever the database does
        }

        await pipeline.SpoolQueuedAsync(TestTimeout.Token());
        var spooled = pipeline.Spool.LastSequence;
        await WaitForAsync(() => Logs.Lines.Any(l => l.Contains("Writing a telemetry batch failed", StringComparison.Ordinal)));
        Assert.Equal(0, pipeline.DroppedCount);
        Assert.Equal(5 * before.All.Count, spooled);
        Assert.True(pipeline.Spool.AcknowledgedSequence < spooled);

        await server.StartAgainAsync();
        Assert.True(await pipeline.FlushAsync(TestTimeout.Token()));
        await pipeline.StopAsync(TestTimeout.Token());

        foreach (var s in during.Prepend(before))
        {
            Assert.Equal(SampleEvents.AllStoredOnce, await db.ScalarAsync<string>(SampleEvents.AllStoredOnceSql, s.Keys));
        }

        Assert.Equal(0, writer.SkippedCount);
    }

    private static void Enqueue(TelemetryPipeline pipeline, IEnumerable<TelemetryEvent> events)
    {
        foreach (var e in events)
        {
            pipeline.Enqueue(e);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var token = TestTimeout.Token();
        while (!condition())
        {
            await Task.Delay(20, token);
        }
    }
}
