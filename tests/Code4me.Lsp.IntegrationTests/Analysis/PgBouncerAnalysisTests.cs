using Code4me.Lsp.IntegrationTests.Spool;
using Code4me.Lsp.IntegrationTests.Support;

namespace Code4me.Lsp.IntegrationTests.Analysis;

/// <summary>
/// The researchers' commands over the <see cref="StudySeed"/> as a code4me_analyst login through PgBouncer in transaction
/// mode (<see cref="PgBouncerServer"/>), in process: each reads in one transaction, so the pooler changes nothing.
/// </summary>
public sealed class PgBouncerAnalysisTests(StudyDatabaseFixture fixture) : IClassFixture<StudyDatabaseFixture>, IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ExportDataset_DatabaseAtPgBouncer_WritesTheSameFilesAndRowsAsDirectly()
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        var direct = Path.Combine(_folder.Path, "direct");
        var pooled = Path.Combine(_folder.Path, "pooled");

        var viaServer = await CliRunner.RunAsync("data", "export-dataset", "--database", fixture.AnalystConnectionString, "--format", "csv", "--out", direct);
        var viaPooler = await CliRunner.RunAsync("data", "export-dataset", "--database", bouncer.Through(fixture.AnalystConnectionString), "--format", "csv", "--out", pooled);

        Assert.True(viaServer.ExitCode == 0, viaServer.Error);   // stderr carries the progress
        Assert.True(viaPooler.ExitCode == 0, viaPooler.Error);
        Assert.Equal(LineCounts(direct), LineCounts(pooled));
        Assert.Contains(LineCounts(pooled), f => f.Lines > 1);
    }

    [Fact]
    public async Task Report_DatabaseAtPgBouncer_WritesTheReport()
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        var file = Path.Combine(_folder.Path, "report.html");

        var result = await CliRunner.RunAsync("report", "--database", bouncer.Through(fixture.AnalystConnectionString), "--out", file);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("<svg", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
    }

    private static List<(string File, int Lines)> LineCounts(string folder) =>
    [
        .. Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllLines(f).Length)),
    ];
}
