using System.Text.Json;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Protocol;

/// <summary>
/// Each kind of bad input goes through a real pipe; the server answers it as the spec says (or logs a
/// bad notification) and then serves a valid request.
/// </summary>
public sealed class BadInputTests(ITestOutputHelper output)
{
    private const string Uri = "file:///work/a.py";

    [Fact]
    public async Task NonJsonBody_GetsParseErrorWithNullId_ThenServes()
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        await raw.WriteFrameAsync("this is { not json");
        var error = await raw.ReadErrorAsync(null);
        Assert.Equal(LspErrorCodes.ParseError, error.Code);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("this is {", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Logs.Lines, line => line.Contains("this is {", StringComparison.Ordinal));
        await AssertStillServingAsync(raw, 100);
    }

    [Fact]
    public async Task JsonThatIsNotJsonRpc_GetsInvalidRequest_ThenServes()
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        await raw.WriteFrameAsync("""{"hello":"world"}""");
        var error = await raw.ReadErrorAsync(null);
        Assert.Equal(LspErrorCodes.InvalidRequest, error.Code);
        await AssertStillServingAsync(raw, 101);
    }

    [Theory]
    [InlineData("Content-Lngth: 5\r\n\r\nhello")]
    [InlineData("Content-Length: abc\r\n\r\n")]
    [InlineData("Content-Length 12\r\n\r\n")]
    [InlineData("garbage without any header at all\n")]
    public async Task BrokenHeader_IsSkipped_AndReadingResumesAtNextHeader(string junk)
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        await raw.WriteRawAsync(junk);
        await AssertStillServingAsync(raw, 102);
        Assert.Contains(server.Logs.Lines, line => line.Contains("Broken message header", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[null]")]
    [InlineData("{}")]
    [InlineData("null")]
    public async Task MethodWithoutParams_AcceptsWhatClientsSendThere(string parameters)
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        await raw.WriteFrameAsync($$"""{"jsonrpc":"2.0","id":9,"method":"shutdown","params":{{parameters}}}""");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await raw.ReadResultAsync(9)).ValueKind);
    }

    [Fact]
    public async Task UnknownMethod_IsMethodNotFound()
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        await raw.RequestAsync(7, "textDocument/noSuchThing", new { });
        var error = await raw.ReadErrorAsync(7);
        Assert.Equal(LspErrorCodes.MethodNotFound, error.Code);
        await AssertStillServingAsync(raw, 103);
    }

    public static TheoryData<string, object, string> BadRequestParams => new()
    {
        { "missing params", null!, "needs a params object" },
        { "params an array, not an object", new[] { 1, 2 }, "code4me/documentState" },
        { "missing textDocument", new { }, "textDocument" },
        { "wrongly typed uri", new { textDocument = new { uri = 42 } }, "uri" },
        { "unknown document", new { textDocument = new { uri = "file:///nowhere.py" } }, "Unknown document file:///nowhere.py" },
    };

    [Theory]
    [MemberData(nameof(BadRequestParams))]
    public async Task BadRequestParams_AreInvalidParamsWithAMessage(string what, object parameters, string expected)
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        await raw.RequestAsync(8, LspMethods.Code4meDocumentState, parameters);
        var error = await raw.ReadErrorAsync(8);
        Assert.True(error.Code == LspErrorCodes.InvalidParams, $"{what}: code {error.Code}");
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        await AssertStillServingAsync(raw, 104);
    }

    public static TheoryData<string, object, string> BadChanges => new()
    {
        { "line past the end", Edit(5, 0, 5, 0, "x"), "Line 5 is past the end" },
        { "character past the end of the line", Edit(0, 40, 0, 40, "x"), "Character 40 is past the end of line 0" },
        { "negative line", Edit(-1, 0, 0, 0, "x"), "negative" },
        { "end before start", Edit(1, 2, 0, 0, "x"), "end 0:0 before its start 1:2" },
    };

    [Theory]
    [MemberData(nameof(BadChanges))]
    public async Task BadDidChange_IsLoggedToTheClient_AndTheDocumentIsUnchanged(string what, object change, string expected)
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        var before = await StateAsync(raw, 200);

        await raw.NotifyAsync(LspMethods.TextDocumentDidChange, new { textDocument = new { uri = Uri, version = 2 }, contentChanges = new[] { Edit(0, 0, 0, 0, "ok"), change } });
        var log = (await raw.ReadNotificationAsync(LspMethods.WindowLogMessage)).GetProperty("message").GetString()!;
        Assert.True(log.Contains(expected, StringComparison.Ordinal), $"{what}: {log}");

        var after = await StateAsync(raw, 201);
        Assert.Equal(before.GetProperty("sha256").GetString(), after.GetProperty("sha256").GetString());
        Assert.Equal(1, after.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task InvalidSurrogate_InDidOpen_IsLoggedAndSkipped()
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        await raw.WriteFrameAsync("""{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///s.py","languageId":"python","version":1,"text":"a\uD800b"}}}""");
        var log = (await raw.ReadNotificationAsync(LspMethods.WindowLogMessage)).GetProperty("message").GetString()!;
        Assert.Contains("surrogate", log, StringComparison.Ordinal);
        await raw.RequestAsync(9, LspMethods.Code4meDocumentState, new { textDocument = new { uri = "file:///s.py" } });
        Assert.Equal(LspErrorCodes.InvalidParams, (await raw.ReadErrorAsync(9)).Code);
    }

    [Fact]
    public async Task UnknownDocument_DidChange_IsLoggedNotThrown()
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        await raw.NotifyAsync(LspMethods.TextDocumentDidChange, new { textDocument = new { uri = "file:///ghost.py", version = 2 }, contentChanges = new[] { Edit(0, 0, 0, 0, "x") } });
        var log = (await raw.ReadNotificationAsync(LspMethods.WindowLogMessage)).GetProperty("message").GetString()!;
        Assert.Contains("Unknown document file:///ghost.py", log, StringComparison.Ordinal);
        await AssertStillServingAsync(raw, 105);
    }

    private static object Edit(int sl, int sc, int el, int ec, string text) => LspTestClient.Edit(sl, sc, el, ec, text);

    private async Task<(InProcServer Server, RawLspConnection Raw)> StartAsync()
    {
        var server = InProcServer.Start(output, connectClient: false);
        var raw = server.OpenRawConnection();
        await raw.RequestAsync(1, LspMethods.Initialize, new { processId = (int?)null, capabilities = new { } });
        await raw.ReadResultAsync(1);
        await raw.NotifyAsync(LspMethods.Initialized, new { });
        await raw.NotifyAsync(LspMethods.TextDocumentDidOpen, new { textDocument = new { uri = Uri, languageId = "python", version = 1, text = "def f(x):\n    return x\n" } });
        return (server, raw);
    }

    private static async Task<JsonElement> StateAsync(RawLspConnection raw, int id)
    {
        await raw.RequestAsync(id, LspMethods.Code4meDocumentState, new { textDocument = new { uri = Uri } });
        return await raw.ReadResultAsync(id);
    }

    private static async Task AssertStillServingAsync(RawLspConnection raw, int id)
    {
        var state = await StateAsync(raw, id);
        Assert.Equal(3, state.GetProperty("lineCount").GetInt32());
    }
}
