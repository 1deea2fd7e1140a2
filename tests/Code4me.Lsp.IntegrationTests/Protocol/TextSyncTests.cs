using System.Security.Cryptography;
using System.Text;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Protocol;

public sealed class TextSyncTests(ITestOutputHelper output)
{
    private const string Uri = "file:///work/sync.py";

    [Fact]
    public async Task IncrementalEdits_Utf16_DocumentMatchesTheClientsText()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync(Uri, "def f(x):\r\n    return x\r\n");

        // Several changes in one notification, each relative to the previous one.
        await server.Client.ChangeAsync(Uri, 2,
            LspTestClient.Edit(1, 11, 1, 12, "x + 1"),       // return x + 1
            LspTestClient.Edit(0, 4, 0, 5, "g"),              // def g(x):
            LspTestClient.Edit(2, 0, 2, 0, "\r\nprint(g(1))\n"));
        // Typing, one character at a time.
        const string typed = "# done";
        for (var i = 0; i < typed.Length; i++)
        {
            await server.Client.ChangeAsync(Uri, 3 + i, LspTestClient.Edit(4, i, 4, i, typed[i].ToString()));
        }

        var state = await StateAsync(server.Client);
        const string expected = "def g(x):\r\n    return x + 1\r\n\r\nprint(g(1))\n# done";
        Assert.Equal(Sha256(expected), state.Sha256);
        Assert.Equal(3 + typed.Length - 1, state.Version);
        Assert.Equal(5, state.LineCount);
        Assert.Equal(expected.Length, state.Length);
    }

    [Fact]
    public async Task IncrementalEdits_Utf8PositionsAroundEmoji_AreConverted()
    {
        await using var server = InProcServer.Start(output);
        var init = await server.Client.InitializeAsync(positionEncodings: ["utf-8"]);
        Assert.Equal("utf-8", init.Capabilities.PositionEncoding);
        await server.Client.OpenAsync(Uri, "s = \"😀é\"\n");

        // Byte 9 is after "s = \"😀" (4 + 1 + 4 bytes); byte 11 after "é".
        await server.Client.ChangeAsync(Uri, 2, LspTestClient.Edit(0, 9, 0, 11, "e"), LspTestClient.Edit(0, 5, 0, 5, ">"));

        Assert.Equal(Sha256("s = \">😀e\"\n"), (await StateAsync(server.Client)).Sha256);
    }

    [Fact]
    public async Task FullReplacement_AndClose_Work()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync(Uri, "old");
        await server.Client.ChangeAsync(Uri, 2, new { text = "brand\nnew" });
        Assert.Equal(Sha256("brand\nnew"), (await StateAsync(server.Client)).Sha256);

        await server.Client.NotifyAsync(LspMethods.TextDocumentDidClose, new { textDocument = new { uri = Uri } });
        var message = await RpcAssert.ErrorAsync(LspErrorCodes.InvalidParams, () => StateAsync(server.Client));
        Assert.Contains("Unknown document", message, StringComparison.Ordinal);
    }

    private static Task<DocumentState> StateAsync(LspTestClient client) =>
        client.RequestAsync<DocumentState>(LspMethods.Code4meDocumentState, new { textDocument = new { uri = Uri } });

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
