using System.Diagnostics;
using System.Text.Json;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Rpc;
using StreamJsonRpc;

namespace Code4me.Lsp.IntegrationTests.Protocol;

public sealed class LifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Initialize_AnswersServerInfoAndImplementedCapabilities()
    {
        await using var server = InProcServer.Start(output);
        var result = await server.Client.InitializeAsync();

        Assert.Equal("code4me-lsp", result.ServerInfo.Name);
        Assert.False(string.IsNullOrEmpty(result.ServerInfo.Version));
        Assert.Equal("utf-16", result.Capabilities.PositionEncoding);
        Assert.True(result.Capabilities.TextDocumentSync.OpenClose);
        Assert.Equal(2, result.Capabilities.TextDocumentSync.Change);
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));
    }

    [Theory]
    [InlineData(new[] { "utf-8", "utf-16" }, "utf-8")]
    [InlineData(new[] { "utf-32", "utf-16" }, "utf-32")]
    [InlineData(new[] { "utf-16", "utf-8" }, "utf-16")]
    [InlineData(new[] { "latin-1" }, "utf-16")]
    [InlineData(new string[0], "utf-16")]
    public async Task Initialize_PositionEncodings_ClientsFirstSupportedChoiceWins(string[] offered, string expected)
    {
        await using var server = InProcServer.Start(output);
        var result = await server.Client.InitializeAsync(positionEncodings: offered);
        Assert.Equal(expected, result.Capabilities.PositionEncoding);
    }

    [Fact]
    public async Task Request_BeforeInitialize_IsServerNotInitialized()
    {
        await using var server = InProcServer.Start(output);
        var error = await Assert.ThrowsAsync<RemoteInvocationException>(() => server.Client.RequestAsync<JsonElement?>(LspMethods.Shutdown, null));
        Assert.Equal(LspErrorCodes.ServerNotInitialized, error.ErrorCode);
        Assert.Contains("initialize", error.Message, StringComparison.Ordinal);

        // Still serving: initialize works afterwards.
        Assert.Equal("code4me-lsp", (await server.Client.InitializeAsync()).ServerInfo.Name);
    }

    [Fact]
    public async Task Request_AfterShutdown_IsInvalidRequest_AndExitCodeIsZero()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync();
        await server.Client.RequestAsync<JsonElement?>(LspMethods.Shutdown, null);

        var error = await Assert.ThrowsAsync<RemoteInvocationException>(() =>
            server.Client.RequestAsync<JsonElement>(LspMethods.Code4meDocumentState, new { textDocument = new { uri = "file:///a.py" } }));
        Assert.Equal(LspErrorCodes.InvalidRequest, error.ErrorCode);

        await server.Client.NotifyAsync(LspMethods.Exit, null);
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));
    }

    [Fact]
    public async Task Exit_WithoutShutdown_ExitCodeIsOne()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync();
        await server.Client.NotifyAsync(LspMethods.Exit, null);
        Assert.Equal(1, await server.ExitCode.WaitAsync(TestTimeout.Value));
    }

    [Fact]
    public async Task Initialize_Twice_IsInvalidRequest()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializeAsync();
        var error = await Assert.ThrowsAsync<RemoteInvocationException>(() => server.Client.InitializeAsync());
        Assert.Equal(LspErrorCodes.InvalidRequest, error.ErrorCode);
    }

    [Fact]
    public async Task SetTrace_Messages_SendsLogTraceForEachHandledMessage()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync();
        await server.Client.NotifyAsync(LspMethods.SetTrace, new { value = "messages" });
        await server.Client.OpenAsync("file:///t.py", "x = 1\n");

        var trace = await LspTestClient.ReadUntilAsync(server.Client.Notifications(LspMethods.LogTrace), e => e.GetProperty("message").GetString()!.Contains("textDocument/didOpen", StringComparison.Ordinal));
        Assert.Contains("ms", trace.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientProcessDies_ServerExits()
    {
        using var parent = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        await using var server = InProcServer.Start(output, ["Code4me:Server:ParentProcessPollMs=100"]);
        await server.Client.InitializeAsync(processId: parent.Id);

        parent.Kill();
        await parent.WaitForExitAsync();
        Assert.Equal(1, await server.ExitCode.WaitAsync(TestTimeout.Value));
    }

    [Fact]
    public async Task DidChangeConfiguration_Invalid_IsReportedAndOldSettingsKept()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync(initializationOptions: new { logging = new { clientLevel = "Information" } });

        await server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { code4me = new { server = new { parentProcessPollMs = 1 } } } });
        var warning = await LspTestClient.ReadUntilAsync(server.Client.Notifications(LspMethods.WindowLogMessage), e => e.GetProperty("message").GetString()!.Contains("ParentProcessPollMs", StringComparison.Ordinal));
        Assert.Equal(2, warning.GetProperty("type").GetInt32());
        Assert.Contains("between 50 and 600000", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        var shown = await LspTestClient.ReadUntilAsync(server.Client.Notifications(LspMethods.WindowShowMessage), _ => true);
        Assert.Contains("ParentProcessPollMs", shown.GetProperty("message").GetString(), StringComparison.Ordinal);

        // The old settings stayed: the Information level still reaches the client.
        await server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { code4me = new { logging = new { clientLevel = "Information" }, server = new { parentProcessPollMs = 500 } } } });
        await LspTestClient.ReadUntilAsync(server.Client.Notifications(LspMethods.WindowLogMessage), e => e.GetProperty("message").GetString()!.Contains("workspace/didChangeConfiguration applied", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Initialize_InvalidInitializationOptions_IsInvalidParamsNamingTheSetting()
    {
        await using var server = InProcServer.Start(output);
        var message = await RpcAssert.ErrorAsync(LspErrorCodes.InvalidParams, () => server.Client.InitializeAsync(initializationOptions: new { logging = new { level = "Loud" } }));
        Assert.Contains("Code4me:Logging:Level", message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("= 'Loud': expected one of Trace, Debug, Information, Warning, Error, Critical, None.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Microsoft.Extensions", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DidChangeConfiguration_MistypedKey_AppliesTheRestAndWarnsNamingTheClosestSetting()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync(initializationOptions: new { logging = new { clientLevel = "Information" } });

        await server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { code4me = new { logging = new { clientLevel = "Information" }, completion = new { manulOnly = true } } } });

        var warning = await LspTestClient.ReadUntilAsync(server.Client.Notifications(LspMethods.WindowLogMessage), e => e.GetProperty("message").GetString()!.Contains("unknown setting", StringComparison.Ordinal));
        Assert.Equal(2, warning.GetProperty("type").GetInt32());
        Assert.EndsWith("unknown setting Code4me:completion:manulOnly (ignored); did you mean Code4me:completion:ManualOnly?", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
