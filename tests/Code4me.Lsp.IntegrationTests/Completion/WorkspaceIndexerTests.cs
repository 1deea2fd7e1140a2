using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Offline;
using Microsoft.Extensions.Logging.Abstractions;

namespace Code4me.Lsp.IntegrationTests.Completion;

public sealed class WorkspaceIndexerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("code4me-index-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public async Task IndexAsync_Workspace_RespectsGitignoreAndBoundsAndReportsProgress()
    {
        Write(".gitignore", "build/\n*.gen.py\n");
        Write("src/app.py", "def main():\n    return run_app(config)\n");
        Write("src/app.gen.py", "ignored = 1\n");
        Write("build/out.py", "ignored = 2\n");
        Write("lib/.gitignore", "vendored.py\n");
        Write("lib/vendored.py", "ignored = 3\n");
        Write("lib/util.py", "def util():\n    pass\n");
        Write("notes.txt", "not source\n");
        Write(".git/config.py", "ignored = 4\n");
        var model = new OfflineCodeModel(new OfflineModelOptions());
        var indexer = new WorkspaceIndexer(model, new OfflineModelOptions(), NullLogger<WorkspaceIndexer>.Instance);
        var reports = new List<(int Done, int Total)>();

        var counted = await indexer.IndexAsync([_root], new SynchronousProgress(reports), CancellationToken.None);

        Assert.Equal(2, counted);
        Assert.Equal((2, 2), reports[^1]);
        Assert.Equal("_app(config)", model.Generate("python", "x = run", multiLine: false).Text);
        Assert.Equal("", model.Generate("python", "ignored =", multiLine: false).Text);
    }

    [Fact]
    public async Task IndexAsync_FileBound_StopsThere()
    {
        for (var i = 0; i < 5; i++)
        {
            Write($"f{i}.py", $"value_{i} = {i}\n");
        }

        var options = new OfflineModelOptions { MaxIndexedFiles = 3 };
        var indexer = new WorkspaceIndexer(new OfflineCodeModel(options), options, NullLogger<WorkspaceIndexer>.Instance);

        Assert.Equal(3, await indexer.IndexAsync([_root], null, CancellationToken.None));
    }

    [Fact]
    public async Task IndexAsync_Cancelled_Throws()
    {
        Write("a.py", "a = 1\n");
        var indexer = new WorkspaceIndexer(new OfflineCodeModel(new OfflineModelOptions()), new OfflineModelOptions(), NullLogger<WorkspaceIndexer>.Instance);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => indexer.IndexAsync([_root], null, new CancellationToken(canceled: true)));
    }

    private sealed class SynchronousProgress(List<(int Done, int Total)> reports) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => reports.Add(value);
    }
}
