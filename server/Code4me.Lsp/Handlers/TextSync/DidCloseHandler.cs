using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.TextSync;

/// <summary><c>textDocument/didClose</c>.</summary>
internal sealed class DidCloseHandler(DocumentStore documents) : INotificationHandler<DidCloseTextDocumentParams>
{
    public void Handle(DidCloseTextDocumentParams notification) => documents.Close(notification.TextDocument.Uri);
}
