using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.TextSync;

/// <summary><c>textDocument/didOpen</c>.</summary>
internal sealed class DidOpenHandler(DocumentStore documents) : INotificationHandler<DidOpenTextDocumentParams>
{
    public void Handle(DidOpenTextDocumentParams notification)
    {
        var item = notification.TextDocument;
        documents.Open(item.Uri, item.LanguageId, item.Version, item.Text);
    }
}
