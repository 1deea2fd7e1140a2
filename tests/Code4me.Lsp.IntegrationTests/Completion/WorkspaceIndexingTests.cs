using System.Text.Json;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Completion;

public sealed class WorkspaceIndexingTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _workspace = Directory.CreateTempSubdirectory("code4me-ws-");

    [Fact]
    public async Task Initialized_IndexesTheWorkspaceWithProgress_RespectingGitignore_AndCompletionsUseIt()
    {
        File.WriteAllText(Path.Combine(_workspace.FullName, "lib.py"), "def load(path):\n    return pandas.read_csv(path, sep=';')\n");
        File.WriteAllText(Path.Combine(_workspace.FullName, "ignored.py"), "x = pandas.read_csv(nothing_to_learn_here)\n");
        File.WriteAllText(Path.Combine(_workspace.FullName, ".gitignore"), "ignored.py\n");

        await using var server = InProcServer.Start(output);
        await server.Client.InitializeAsync(workspaceFolders: [_workspace.FullName]);
        await server.Client.NotifyAsync(LspMethods.Initialized, new { });

        var token = (await LspTestClient.ReadUntilAsync(server.Client.ProgressTokens, _ => true)).GetProperty("token").GetString();
        var begin = await NextProgressAsync(server, token);
        Assert.Equal("begin", begin.GetProperty("kind").GetString());
        JsonElement end;
        while ((end = await NextProgressAsync(server, token)).GetProperty("kind").GetString() == "report")
        {
            Assert.InRange(end.GetProperty("percentage").GetInt32(), 0, 100);
        }

        Assert.Equal("end", end.GetProperty("kind").GetString());
        Assert.Equal("learned from 1 files", end.GetProperty("message").GetString());

        // main.py is not open anywhere else: the pattern can only come from the indexed lib.py.
        await server.Client.OpenAsync(new Uri(Path.Combine(_workspace.FullName, "main.py")).AbsoluteUri, "df = pandas.read_csv(");
        var list = await InlineCompletionTests.CompleteAsync(server.Client, new Uri(Path.Combine(_workspace.FullName, "main.py")).AbsoluteUri, 0, 21, InlineCompletionTriggerKind.Invoked);
        Assert.StartsWith("path, sep=';')", Assert.Single(list.Items).InsertText, StringComparison.Ordinal);
    }

    public void Dispose() => _workspace.Delete(recursive: true);

    private static async Task<JsonElement> NextProgressAsync(InProcServer server, string? token)
    {
        var progress = await LspTestClient.ReadUntilAsync(server.Client.Notifications(LspMethods.Progress), p => p.GetProperty("token").GetString() == token);
        return progress.GetProperty("value");
    }
}
