using System.Globalization;
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

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":12345,"result":{"x":1}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":12345,"error":{"code":-32601,"message":"no"}}""")]
    [InlineData("""{"id":null,"result":null}""")]
    [InlineData("""{"jsonrpc":"2.0","id":3,"result":null,"error":{"code":1,"message":"both"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":3,"method":null}""")]
    public async Task OneValidButUnexpectedMessage_DoesNotStopTheProcess(string body)
    {
        await using var server = ServerProcess.Start();
        var raw = server.Connection;
        await raw.RequestAsync(1, LspMethods.Initialize, new { processId = (int?)null, capabilities = new { } });
        await raw.ReadResultAsync(1);
        await raw.WriteFrameAsync(body);
        await raw.RequestAsync(2, LspMethods.Shutdown, null);
        // The only response before shutdown's may be the InvalidRequest of a request with a null method.
        var response = await raw.ReadResponseAsync();
        if (response.TryGetProperty("error", out _))
        {
            Assert.Equal(3, response.GetProperty("id").GetInt32());
            response = await raw.ReadResponseAsync();
        }

        Assert.Equal(2, response.GetProperty("id").GetInt32());
        await raw.NotifyAsync(LspMethods.Exit, null);
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    [Fact]
    public async Task OversizedFrame_IsDiscardedWhileItStreams_MemoryStaysFlat_ThenServes()
    {
        const int Chunk = 1 << 20;
        const int Chunks = 128;
        await using var server = ServerProcess.Start("--config", "Code4me:Limits:MaxMessageBytes=1048576");
        var raw = server.Connection;
        await raw.RequestAsync(1, LspMethods.Initialize, new { processId = (int?)null, capabilities = new { } });
        await raw.ReadResultAsync(1);
        var peakBefore = PeakResidentKiB(server.Process.Id);

        // 128 MiB of body: a write returns once the server has read all but a pipe's buffer of it.
        await raw.WriteRawAsync($"Content-Length: {(long)Chunk * Chunks}\r\n\r\n");
        var chunk = new byte[Chunk];
        Array.Fill(chunk, (byte)'x');
        for (var i = 0; i < Chunks; i++)
        {
            await raw.WriteBytesAsync(chunk);
        }

        await raw.RequestAsync(2, LspMethods.Shutdown, null);
        Assert.Equal(JsonValueKind.Null, (await raw.ReadResultAsync(2)).ValueKind);
        var grown = PeakResidentKiB(server.Process.Id) - peakBefore;
        Assert.True(grown < 48 * 1024, $"The peak resident set grew by {grown / 1024} MiB while a 128 MiB frame over the limit was discarded.");
        await raw.NotifyAsync(LspMethods.Exit, null);
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Contains("Code4me:Limits:MaxMessageBytes", server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContentLengthOfTwoGigabytes_IsRefusedBeforeBuffering()
    {
        await using var server = ServerProcess.Start();
        var raw = server.Connection;
        await raw.RequestAsync(1, LspMethods.Initialize, new { processId = (int?)null, capabilities = new { } });
        await raw.ReadResultAsync(1);
        var peakBefore = PeakResidentKiB(server.Process.Id);
        await raw.WriteRawAsync("Content-Length: 2147483647\r\n\r\n");
        var chunk = new byte[1 << 20];
        Array.Fill(chunk, (byte)' ');
        for (var i = 0; i < 128; i++)
        {
            await raw.WriteBytesAsync(chunk);
        }

        var grown = PeakResidentKiB(server.Process.Id) - peakBefore;
        Assert.True(grown < 48 * 1024, $"The peak resident set grew by {grown / 1024} MiB while 128 MiB of a 2 GiB frame were sent.");
        server.Process.StandardInput.Close();
        Assert.Equal(1, await server.WaitForExitAsync());
        Assert.Contains("Code4me:Limits:MaxMessageBytes", server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartUp_OnceIdle_ItsGarbageIsCollectedAndTheMemoryReturned()
    {
        await using var server = ServerProcess.Start();
        var raw = server.Connection;
        await raw.RequestAsync(1, LspMethods.Initialize, new { processId = (int?)null, capabilities = new { } });
        await raw.ReadResultAsync(1);
        await raw.NotifyAsync(LspMethods.Initialized, new { });

        // No workspace to index: start-up is over at initialized, and one collection follows a moment later.
        await server.WaitForStderrAsync("Memory reclaimed after start-up", 1);
        var line = server.Stderr.Split('\n').Single(l => l.Contains("Memory reclaimed after start-up", StringComparison.Ordinal));
        // What the collection controls is the GC's own memory (the resident set also moves with the JIT's work).
        var heap = System.Text.RegularExpressions.Regex.Match(line, @"GC heap (\d+) KiB -> (\d+) KiB");
        Assert.True(heap.Success, line);
        Assert.True(long.Parse(heap.Groups[2].Value, CultureInfo.InvariantCulture) < long.Parse(heap.Groups[1].Value, CultureInfo.InvariantCulture), line);

        // The Native AOT publish (one file, no code4me-lsp.dll beside it) runs the GC with 1 MiB regions instead of the
        // runtime's 4 MiB, part of its idle memory budget.
        if (!File.Exists(Path.Combine(Path.GetDirectoryName(ServerProcess.ExecutablePath)!, "code4me-lsp.dll")))
        {
            Assert.Contains("region 1024 KiB", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task LargeDocumentsOpenedAndClosed_TheirMemoryIsReturned()
    {
        const int Cycles = 6;
        var text = string.Concat(Enumerable.Range(0, 200_000).Select(i => $"def function_{i}(alpha, beta):\n    return alpha + beta * {i}\n"));
        Assert.InRange(text.Length, 10_000_000, LimitsDefaultMaxDocumentChars);
        await using var server = ServerProcess.Start();
        var raw = server.Connection;
        await raw.RequestAsync(1, LspMethods.Initialize, new { processId = (int?)null, capabilities = new { } });
        await raw.ReadResultAsync(1);
        await raw.NotifyAsync(LspMethods.Initialized, new { });
        var residentBefore = ResidentKiB(server.Process.Id);

        for (var i = 0; i < Cycles; i++)
        {
            var uri = $"file:///work/big{i}.py";
            await raw.NotifyAsync(LspMethods.TextDocumentDidOpen, new { textDocument = new { uri, languageId = "python", version = 1, text } });
            await raw.RequestAsync(10 + i, LspMethods.Code4meDocumentState, new { textDocument = new { uri } });
            Assert.Equal(text.Length, (await raw.ReadResultAsync(10 + i)).GetProperty("length").GetInt32());
            await raw.NotifyAsync(LspMethods.TextDocumentDidClose, new { textDocument = new { uri } });
            await server.WaitForStderrAsync("Memory reclaimed after a large document was closed", i + 1);
        }

        var grown = ResidentKiB(server.Process.Id) - residentBefore;
        Assert.True(grown < 128 * 1024, $"After {Cycles} open/close cycles of a {text.Length}-character document the resident set is {grown / 1024} MiB above where it started.");
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

    private const int LimitsDefaultMaxDocumentChars = 16 * 1024 * 1024;

    /// <summary>The process's peak resident set (VmHWM), in KiB.</summary>
    internal static long PeakResidentKiB(int pid) => ProcStatusKiB(pid, "VmHWM:");

    /// <summary>The process's resident set (VmRSS), in KiB.</summary>
    internal static long ResidentKiB(int pid) => ProcStatusKiB(pid, "VmRSS:");

    private static long ProcStatusKiB(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
