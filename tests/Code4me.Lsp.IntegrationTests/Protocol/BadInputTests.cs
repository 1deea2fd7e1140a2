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

    public static TheoryData<string, string> UnsolicitedResponses => new()
    {
        { "result for an id never sent", """{"jsonrpc":"2.0","id":12345,"result":{"x":1}}""" },
        { "error for an id never sent", """{"jsonrpc":"2.0","id":12346,"error":{"code":-32601,"message":"no such method"}}""" },
        { "string id never sent", """{"jsonrpc":"2.0","id":"abc","result":null}""" },
        { "null id, no version", """{"id":null,"result":null}""" },
        { "error with a null id", """{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}""" },
        { "both result and error", """{"jsonrpc":"2.0","id":4,"result":1,"error":{"code":1,"message":"both"}}""" },
    };

    [Theory]
    [MemberData(nameof(UnsolicitedResponses))]
    public async Task UnsolicitedResponse_IsLoggedAndIgnored_ThenServes(string what, string body)
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        await raw.WriteFrameAsync(body);
        // Nothing answers a response: the next message on the wire is the answer to this request.
        await AssertStillServingAsync(raw, 106);
        Assert.True(server.Logs.Lines.Any(line => line.Contains("Ignored a response", StringComparison.Ordinal)), what);
        Assert.DoesNotContain(raw.Notifications, n => n.GetRawText().Contains("Ignored a response", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnsolicitedResponses_AreLoggedOncePerKind()
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        for (var i = 0; i < 5; i++)
        {
            await raw.WriteFrameAsync($$"""{"jsonrpc":"2.0","id":{{5000 + i}},"result":null}""");
        }

        await AssertStillServingAsync(raw, 107);
        Assert.Single(server.Logs.Lines, line => line.Contains("Ignored a response", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResponseToARequestOfTheServer_IsStillDelivered()
    {
        var workspace = Directory.CreateTempSubdirectory("code4me-ws-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(workspace.FullName, "lib.py"), "def f(x):\n    return x\n");
            await using var server = InProcServer.Start(output, connectClient: false);
            var raw = server.OpenRawConnection();
            var folder = new System.Uri(workspace.FullName).AbsoluteUri;
            await raw.RequestAsync(1, LspMethods.Initialize, new { processId = (int?)null, capabilities = new { window = new { workDoneProgress = true } }, workspaceFolders = new[] { new { uri = folder, name = "ws" } } });
            await raw.ReadResultAsync(1);
            await raw.NotifyAsync(LspMethods.Initialized, new { });

            var create = await raw.ReadServerRequestAsync(LspMethods.WindowWorkDoneProgressCreate);
            await raw.WriteFrameAsync($$"""{"jsonrpc":"2.0","id":{{create.GetProperty("id").GetRawText()}},"result":null}""");

            // The server goes on only once its request was answered: progress on the token it created.
            var progress = await raw.ReadNotificationAsync(LspMethods.Progress);
            Assert.Equal(create.GetProperty("params").GetProperty("token").GetString(), progress.GetProperty("token").GetString());
            Assert.Equal("begin", progress.GetProperty("value").GetProperty("kind").GetString());
            Assert.DoesNotContain(server.Logs.Lines, line => line.Contains("Ignored a response", StringComparison.Ordinal));
        }
        finally
        {
            workspace.Delete(recursive: true);
        }
    }

    public static TheoryData<string, string, int?> MalformedRequests => new()
    {
        { "method null", """{"jsonrpc":"2.0","id":3,"method":null}""", 3 },
        { "method a number", """{"jsonrpc":"2.0","id":3,"method":42}""", 3 },
        { "jsonrpc 1.0", """{"jsonrpc":"1.0","id":3,"method":"code4me/documentState","params":{"textDocument":{"uri":"file:///work/a.py"}}}""", 3 },
        { "no jsonrpc member", """{"id":3,"method":"code4me/documentState","params":{"textDocument":{"uri":"file:///work/a.py"}}}""", 3 },
        { "params a string", """{"jsonrpc":"2.0","id":3,"method":"code4me/documentState","params":"str"}""", 3 },
        { "params a number", """{"jsonrpc":"2.0","id":3,"method":"code4me/documentState","params":7}""", 3 },
        { "id true", """{"jsonrpc":"2.0","id":true,"method":"code4me/documentState"}""", null },
        { "id 1.5", """{"jsonrpc":"2.0","id":1.5,"method":"code4me/documentState"}""", null },
        { "id an array", """{"jsonrpc":"2.0","id":[],"method":"code4me/documentState"}""", null },
        { "id an object", """{"jsonrpc":"2.0","id":{},"method":"code4me/documentState"}""", null },
        { "a batch", """[{"jsonrpc":"2.0","id":3,"method":"shutdown"}]""", null },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task MalformedRequest_IsInvalidRequest_AnsweredWithItsIdWhereItHasOne(string what, string body, int? id)
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        await raw.WriteFrameAsync(body);
        var error = await raw.ReadErrorAsync(id);
        Assert.True(error.Code == LspErrorCodes.InvalidRequest, $"{what}: {error.Code} {error.Message}");
        Assert.DoesNotContain('\n', error.Message);
        await AssertStillServingAsync(raw, 108);
    }

    [Fact]
    public async Task ParamsArrayOfSeveralValues_IsInvalidParams_WithAPlainMessage()
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        await raw.WriteFrameAsync("""{"jsonrpc":"2.0","id":12,"method":"shutdown","params":[1,2]}""");
        var error = await raw.ReadErrorAsync(12);
        Assert.Equal(LspErrorCodes.InvalidParams, error.Code);
        Assert.Contains("shutdown", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Code4me.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Nullable", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("CancellationToken", error.Message, StringComparison.Ordinal);
        await AssertStillServingAsync(raw, 109);
    }

    [Fact]
    public async Task DidChangeWithAVersionNotAboveTheCurrent_IsRefusedAndLogged()
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        await raw.NotifyAsync(LspMethods.TextDocumentDidChange, new { textDocument = new { uri = Uri, version = 3 }, contentChanges = new[] { Edit(0, 0, 0, 0, "a") } });
        var before = await StateAsync(raw, 202);
        Assert.Equal(3, before.GetProperty("version").GetInt32());

        foreach (var stale in new[] { 3, 2 })
        {
            await raw.NotifyAsync(LspMethods.TextDocumentDidChange, new { textDocument = new { uri = Uri, version = stale }, contentChanges = new[] { Edit(0, 0, 0, 0, "b") } });
            var log = (await raw.ReadNotificationAsync(LspMethods.WindowLogMessage)).GetProperty("message").GetString()!;
            Assert.Contains($"version {stale} is not above the current version 3", log, StringComparison.Ordinal);
        }

        var after = await StateAsync(raw, 203);
        Assert.Equal(before.GetProperty("sha256").GetString(), after.GetProperty("sha256").GetString());
        Assert.Equal(3, after.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task OversizedFrame_WithItsIdBeforeTheParams_IsRefusedWithThatId_ThenServes()
    {
        var (server, raw) = await StartAsync(["Code4me:Limits:MaxMessageBytes=4096"]);
        await using var _ = server;
        var padding = new string('x', 10_000);
        await raw.WriteFrameAsync($$$"""{"jsonrpc":"2.0","id":77,"method":"code4me/documentState","params":{"textDocument":{"uri":"{{{Uri}}}"},"pad":"{{{padding}}}"}}""");
        var error = await raw.ReadErrorAsync(77);
        Assert.Equal(LspErrorCodes.InvalidRequest, error.Code);
        Assert.Contains("Code4me:Limits:MaxMessageBytes", error.Message, StringComparison.Ordinal);
        await AssertStillServingAsync(raw, 110);
    }

    [Fact]
    public async Task OversizedFrame_WithoutAKnownId_IsDroppedUnanswered_ThenServes()
    {
        var (server, raw) = await StartAsync(["Code4me:Limits:MaxMessageBytes=4096"]);
        await using var _ = server;
        var text = new string('x', 10_000);
        await raw.NotifyAsync(LspMethods.TextDocumentDidOpen, new { textDocument = new { uri = "file:///work/big.py", languageId = "python", version = 1, text } });
        await AssertStillServingAsync(raw, 111);
        await raw.RequestAsync(112, LspMethods.Code4meDocumentState, new { textDocument = new { uri = "file:///work/big.py" } });
        Assert.Equal(LspErrorCodes.InvalidParams, (await raw.ReadErrorAsync(112)).Code);
        Assert.Contains(server.Logs.Lines, line => line.Contains("Code4me:Limits:MaxMessageBytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DocumentLargerThanTheLimit_IsRefusedWithAWarning()
    {
        var (server, raw) = await StartAsync(["Code4me:Limits:MaxDocumentChars=1000"]);
        await using var _ = server;
        await raw.NotifyAsync(LspMethods.TextDocumentDidOpen, new { textDocument = new { uri = "file:///work/big.py", languageId = "python", version = 1, text = new string('x', 1001) } });
        var log = (await raw.ReadNotificationAsync(LspMethods.WindowLogMessage)).GetProperty("message").GetString()!;
        Assert.Contains("Code4me:Limits:MaxDocumentChars", log, StringComparison.Ordinal);
        await raw.RequestAsync(113, LspMethods.Code4meDocumentState, new { textDocument = new { uri = "file:///work/big.py" } });
        Assert.Equal(LspErrorCodes.InvalidParams, (await raw.ReadErrorAsync(113)).Code);

        // A change that would grow an open document past the limit is refused as a whole.
        var before = await StateAsync(raw, 114);
        await raw.NotifyAsync(LspMethods.TextDocumentDidChange, new { textDocument = new { uri = Uri, version = 2 }, contentChanges = new[] { Edit(0, 0, 0, 0, new string('y', 990)) } });
        log = (await raw.ReadNotificationAsync(LspMethods.WindowLogMessage)).GetProperty("message").GetString()!;
        Assert.Contains("Code4me:Limits:MaxDocumentChars", log, StringComparison.Ordinal);
        var after = await StateAsync(raw, 115);
        Assert.Equal(before.GetProperty("sha256").GetString(), after.GetProperty("sha256").GetString());
    }

    [Theory]
    [InlineData(0, 40, "def f(x):x\n    return x\n")]
    [InlineData(5, 0, "def f(x):\n    return x\nx")]
    [InlineData(1, 99, "def f(x):\n    return xx\n")]
    public async Task ChangePastTheEndOfALineOrDocument_IsClampedAsTheSpecSays(int line, int character, string expected)
    {
        var (server, raw) = await StartAsync();
        await using var _ = server;
        await raw.NotifyAsync(LspMethods.TextDocumentDidChange, new { textDocument = new { uri = Uri, version = 2 }, contentChanges = new[] { Edit(line, character, line, character, "x") } });
        var state = await StateAsync(raw, 204);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(expected))), state.GetProperty("sha256").GetString());
        Assert.Equal(2, state.GetProperty("version").GetInt32());
    }

    private static object Edit(int sl, int sc, int el, int ec, string text) => LspTestClient.Edit(sl, sc, el, ec, text);

    private async Task<(InProcServer Server, RawLspConnection Raw)> StartAsync(IReadOnlyList<string>? config = null)
    {
        var server = InProcServer.Start(output, config, connectClient: false);
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
