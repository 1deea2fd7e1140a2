using Code4me.Lsp.IntegrationTests.Spool;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.IntegrationTests.Telemetry;

/// <summary><c>code4me-lsp telemetry flush|status</c> in process, on a spool written while no database was configured.</summary>
public sealed class TelemetryCommandTests(DatabaseFixture fixture, ITestOutputHelper output) : SpoolTestBase(output), IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Flush_SpoolWrittenWithoutDatabase_UploadsEveryEventOnce()
    {
        var samples = new[] { new SampleEvents("cli1"), new SampleEvents("cli2") };
        await SpoolWithoutDatabaseAsync(samples);

        var status = await CliRunner.RunAsync("telemetry", "status", "--spool", Dir.Path);
        var flush = await CliRunner.RunAsync("telemetry", "flush", "--database", fixture.Database.ConnectionString, "--spool", Dir.Path);
        var again = await CliRunner.RunAsync("telemetry", "flush", "--database", fixture.Database.ConnectionString, "--spool", Dir.Path);
        var after = await CliRunner.RunAsync("telemetry", "status", "--spool", Dir.Path);

        Assert.Equal((0, ""), (status.ExitCode, status.Error));
        Assert.Contains("22 pending event(s)", status.Out, StringComparison.Ordinal);
        Assert.Equal((0, ""), (flush.ExitCode, flush.Error));
        Assert.Contains("Uploaded 22 telemetry event(s) to PostgreSQL.", flush.Out, StringComparison.Ordinal);
        Assert.Contains("Uploaded 0 telemetry event(s)", again.Out, StringComparison.Ordinal);
        Assert.Contains("0 pending event(s), 0 bytes", after.Out, StringComparison.Ordinal);
        foreach (var s in samples)
        {
            Assert.Equal(2, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM had_generation WHERE meta_query_id = @Id", new { Id = s.QueryId }));
            Assert.Equal(3, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM generation_feedback WHERE meta_query_id = @Id", new { Id = s.QueryId }));
        }
    }

    [Fact]
    public async Task Flush_DatabaseUnreachable_FailsClearlyAndKeepsTheSpool()
    {
        await SpoolWithoutDatabaseAsync([new SampleEvents("down")]);

        var flush = await CliRunner.RunAsync("telemetry", "flush", "--database", "postgres://u:p@127.0.0.1:1/db", "--spool", Dir.Path);
        var status = await CliRunner.RunAsync("telemetry", "status", "--spool", Dir.Path);

        Assert.Equal(1, flush.ExitCode);
        Assert.StartsWith("Telemetry flush failed: Could not connect to PostgreSQL at 127.0.0.1:1: connection refused", flush.Error, StringComparison.Ordinal);
        Assert.Contains("the rest stay in the spool", flush.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", flush.Error, StringComparison.Ordinal);
        Assert.Contains("11 pending event(s)", status.Out, StringComparison.Ordinal);
    }

    private async Task SpoolWithoutDatabaseAsync(IEnumerable<SampleEvents> samples)
    {
        var pipeline = new TelemetryPipeline(
            Options.Create(new SpoolOptions { Directory = Dir.Path, BatchWindowMs = 0 }),
            [], [], [], TimeProvider.System, new LoggerFactory([Logs]).CreateLogger<TelemetryPipeline>());
        await pipeline.StartAsync(TestTimeout.Token());
        foreach (var e in samples.SelectMany(s => s.All))
        {
            pipeline.Enqueue(e);
        }

        Assert.False(await pipeline.FlushAsync(TestTimeout.Token()));
        await pipeline.StopAsync(TestTimeout.Token());
        Assert.Contains(Logs.Lines, l => l.Contains("No database is configured", StringComparison.Ordinal));
    }
}
