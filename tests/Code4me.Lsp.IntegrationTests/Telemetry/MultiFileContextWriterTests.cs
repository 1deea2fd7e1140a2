using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.IntegrationTests.Telemetry;

/// <summary>
/// Multi-file context through the writer, as a member of code4me_writer (INSERT only + record_multi_file_context):
/// baselines first-write-wins, changes appended under their keys, replays change nothing.
/// </summary>
public sealed class MultiFileContextWriterTests(DatabaseFixture fixture, ITestOutputHelper output) : IClassFixture<DatabaseFixture>, IDisposable
{
    private const string Folder = "/home/ada/multi/app";
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid s_sessionA = Guid.CreateVersion7();
    private static readonly Guid s_sessionB = Guid.CreateVersion7();
    private static readonly BatchOwner s_owner = new(null, null, Guid.NewGuid(), "multi");   // anonymous, with an installation id
    private readonly XunitLoggerProvider _logs = new(output);

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task WriteAsync_TwoSessionsOneProject_BaselineFirstWinsChangesKeyedAndReplayRewritesNothing()
    {
        var writer = await WriterAsync();
        // Session A uses lib.py ("abc") twice, the second time edited to "aXc"; session B (a later restart) finds "aXcd".
        var a1 = Query("A", Context(["abc"], ("A:1", new("lib.py", 0, null, "abc", s_t0))), ("lib.py", ["A:1"]));
        var a2 = Query("A", Context([], ("A:2", new("lib.py", 1, 1, "X", s_t0.AddSeconds(5)))), ("lib.py", ["A:1", "A:2"]));
        var b1 = Query("B", Context(["aXcd"], ("B:1", new("lib.py", 0, null, "aXcd", s_t0.AddSeconds(60)))), ("lib.py", ["B:1"]));
        SpooledRecord[] first = [new(1, a1), new(2, a2)];
        SpooledRecord[] second = [new(3, b1)];

        await writer.WriteAsync(first, TimeoutToken.Create());
        await writer.WriteAsync(second, TimeoutToken.Create());
        var stored = await ProjectAsync();
        await writer.WriteAsync(first, TimeoutToken.Create());
        await writer.WriteAsync([.. second, .. first], TimeoutToken.Create());

        Assert.Equal(await JsonbAsync("""{"lib.py": "abc"}"""), stored.Contexts);
        Assert.Equal(
            await JsonbAsync("""
                {"A:1": {"path": "lib.py", "offset": 0, "deleted": null, "text": null, "at": "2025-03-04T10:00:00Z"},
                 "A:2": {"path": "lib.py", "offset": 1, "deleted": 1, "text": "X", "at": "2025-03-04T10:00:05Z"},
                 "B:1": {"path": "lib.py", "offset": 0, "deleted": null, "text": "aXcd", "at": "2025-03-04T10:01:00Z"}}
                """),
            stored.Changes);
        Assert.Equal(stored, await ProjectAsync());              // the same values, and the same row version (xmin)
        Assert.Equal(await JsonbAsync("""{"lib.py": ["A:1", "A:2"]}"""), await fixture.Database.ScalarAsync<string>(
            "SELECT multi_file_context_changes_indexes::text FROM meta_query WHERE meta_query_id = @Id", new { Id = a2.QueryId }));
    }

    private static MultiFileContext Context(string[] baseline, (string Key, MultiFileContextChange Change) change) => new(
        baseline.ToDictionary(_ => "lib.py", b => b),
        new Dictionary<string, MultiFileContextChange> { [change.Key] = change.Change },
        new Dictionary<string, IReadOnlyList<string>?>());

    private static CompletionQueryEvent Query(string session, MultiFileContext context, (string Path, string[] Keys) index) => new(
        Guid.CreateVersion7(), s_t0, Guid.CreateVersion7(), session == "A" ? s_sessionA : s_sessionB, Folder, null, null, null, [], 10, "1.0.0",
        context with { Indexes = new Dictionary<string, IReadOnlyList<string>?> { [index.Path] = index.Keys } });

    private async Task<(string Contexts, string Changes, string Version)> ProjectAsync()
    {
        var id = ProjectIdentity.IdFor(s_owner, Folder);
        return (
            await fixture.Database.ScalarAsync<string>("SELECT multi_file_contexts::text FROM project WHERE project_id = @Id", new { Id = id }),
            await fixture.Database.ScalarAsync<string>("SELECT multi_file_context_changes::text FROM project WHERE project_id = @Id", new { Id = id }),
            await fixture.Database.ScalarAsync<string>("SELECT xmin::text FROM project WHERE project_id = @Id", new { Id = id }));
    }

    private Task<string> JsonbAsync(string json) => fixture.Database.ScalarAsync<string>("SELECT @Json::jsonb::text", new { Json = json });

    private async Task<PostgresTelemetryWriter> WriterAsync()
    {
        var dataSource = await fixture.Database.ConnectAsMemberOfAsync("code4me_writer");
        return new PostgresTelemetryWriter(
            dataSource, new ReferenceData(dataSource), Options.Create(new Code4meStorageOptions()), new LoggerFactory([_logs]).CreateLogger<PostgresTelemetryWriter>())
        {
            Machine = s_owner.Machine,
            InstallationId = s_owner.InstallationId,
        };
    }
}
