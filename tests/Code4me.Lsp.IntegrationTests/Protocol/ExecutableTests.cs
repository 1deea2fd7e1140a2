using System.Text.Json;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Protocol;

/// <summary>The executable editors launch: stdio hygiene, exit codes and commands, in a real process.</summary>
public sealed class ExecutableTests
{
    [Fact]
    public async Task FullSession_StdoutCarriesOnlyFrames_LogsGoToStderr_ExitCodeZero()
    {
        await using var server = ServerProcess.Start("--config", "Code4me:Logging:Level=Debug");
        var raw = server.Connection;
        await raw.RequestAsync(1, LspMethods.Initialize, new { processId = Environment.ProcessId, capabilities = new { }, clientInfo = new { name = "test" } });
        Assert.Equal("code4me-lsp", (await raw.ReadResultAsync(1)).GetProperty("serverInfo").GetProperty("name").GetString());
        await raw.NotifyAsync(LspMethods.Initialized, new { });
        await raw.NotifyAsync(LspMethods.TextDocumentDidOpen, new { textDocument = new { uri = "file:///p.py", languageId = "python", version = 1, text = "SECRET_CODE = 1\n" } });
        await raw.WriteFrameAsync("{ not json");
        Assert.Equal(LspErrorCodes.ParseError, (await raw.ReadErrorAsync(null)).Code);
        await raw.RequestAsync(2, LspMethods.Shutdown, null);
        Assert.Equal(JsonValueKind.Null, (await raw.ReadResultAsync(2)).ValueKind);
        await raw.NotifyAsync(LspMethods.Exit, null);

        // Everything left on stdout must still be well-framed JSON-RPC, up to a clean end of stream.
        while (await raw.ReadMessageAsync() is not null)
        {
        }

        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Contains("textDocument/didOpen handled", server.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET_CODE", server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExitWithoutShutdown_ExitCodeOne()
    {
        await using var server = ServerProcess.Start();
        await server.Connection.RequestAsync(1, LspMethods.Initialize, new { processId = (int?)null, capabilities = new { } });
        await server.Connection.ReadResultAsync(1);
        await server.Connection.NotifyAsync(LspMethods.Exit, null);
        Assert.Equal(1, await server.WaitForExitAsync());
    }

    [Fact]
    public async Task StdinClosedWithoutShutdown_ExitCodeOne()
    {
        await using var server = ServerProcess.Start("--stdio");
        server.Process.StandardInput.Close();
        Assert.Equal(1, await server.WaitForExitAsync());
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var (exitCode, stdout, _) = await ServerProcess.RunAsync("--version");
        Assert.Equal(0, exitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout.Trim());
    }

    [Fact]
    public async Task Help_DescribesTheCommands()
    {
        var (exitCode, stdout, _) = await ServerProcess.RunAsync("--help");
        Assert.Equal(0, exitCode);
        Assert.Contains("--stdio", stdout, StringComparison.Ordinal);
        Assert.Contains("--config", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownArgument_FailsWithAMessage()
    {
        var (exitCode, _, stderr) = await ServerProcess.RunAsync("--no-such-flag");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("--no-such-flag", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidConfigurationAtStart_ExitsTwoNamingTheSetting()
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("--config", "Code4me:Server:ParentProcessPollMs=1");
        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("Code4me:Server:ParentProcessPollMs", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_PrintsTheSuggestionLearnedFromTheWorkspace()
    {
        var workspace = Directory.CreateTempSubdirectory("code4me-complete-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(workspace.FullName, "lib.py"), "def load(path):\n    return np.loadtxt(path, delimiter=',')\n");
            var target = Path.Combine(workspace.FullName, "main.py");
            await File.WriteAllTextAsync(target, "rows = np.loadtxt(\n");

            var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("complete", $"{target}:1:19");

            Assert.Equal(0, exitCode);
            Assert.StartsWith("path, delimiter=','", stdout, StringComparison.Ordinal);
            Assert.Contains("ngram: confidence", stderr, StringComparison.Ordinal);
        }
        finally
        {
            workspace.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("nofile.py:1:1", 1, "no such file")]
    [InlineData("nocolon", 2, "is not FILE:LINE:COL")]
    public async Task Complete_BadLocation_FailsWithAMessage(string location, int expectedExit, string expected)
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("complete", location);
        Assert.Equal(expectedExit, exitCode);
        Assert.Empty(stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }
}
