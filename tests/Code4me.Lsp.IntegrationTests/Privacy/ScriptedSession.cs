using System.Text.Json;
using Code4me.Lsp.IntegrationTests.Completion;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Privacy;

/// <summary>
/// A whole editing session on one document: open, type, complete, show, partially accept, accept, reject,
/// change the configuration, close. The last line of <c>text</c> is where the caret starts (at its end).
/// </summary>
internal static class ScriptedSession
{
    public static async Task RunAsync(LspTestClient client, string uri, string text, string typed = "pa")
    {
        var lines = text.Split('\n');
        var line = lines.Length - 2;
        var column = lines[line].Length;
        await client.OpenAsync(uri, text);
        await client.ChangeAsync(uri, 2, LspTestClient.Edit(line, column, line, column, typed[..1]));
        await client.ChangeAsync(uri, 3, LspTestClient.Edit(line, column + 1, line, column + 1, typed[1..]));
        column += typed.Length;

        for (var i = 0; i < 2; i++)
        {
            var list = await InlineCompletionTests.CompleteAsync(client, uri, line, column, i == 0 ? InlineCompletionTriggerKind.Invoked : InlineCompletionTriggerKind.Automatic);
            if (i == 0)
            {
                Assert.NotEmpty(list.Items);   // the session really completes, shows and accepts
            }

            foreach (var item in list.Items)
            {
                await client.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item });
                await client.NotifyAsync(LspMethods.TextDocumentDidPartiallyAcceptCompletion, new { item, acceptedLength = 1 });
                await client.RequestAsync<JsonElement?>(LspMethods.WorkspaceExecuteCommand, new { command = item.Command!.CommandIdentifier, arguments = item.Command.Arguments });
                await client.NotifyAsync(LspMethods.Code4meCompletionRejected, new { item });
            }
        }

        await client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { code4me = new { logging = new { clientLevel = "Trace" } } } });
        await client.RequestAsync<InlineCompletionList>(
            LspMethods.TextDocumentInlineCompletion,
            new { textDocument = new { uri }, position = new { line, character = column }, context = new { triggerKind = InlineCompletionTriggerKind.Invoked } });
        await client.NotifyAsync(LspMethods.TextDocumentDidClose, new { textDocument = new { uri } });
    }
}
