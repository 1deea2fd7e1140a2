using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Hosting;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Handlers.TextSync;

/// <summary><c>textDocument/didOpen</c>: a document over <c>Code4me:Limits:MaxDocumentChars</c> is refused.</summary>
internal sealed class DidOpenHandler(DocumentStore documents, IOptionsMonitor<LimitsOptions> limits) : INotificationHandler<DidOpenTextDocumentParams>
{
    public void Handle(DidOpenTextDocumentParams notification)
    {
        var item = notification.TextDocument;
        documents.Open(item.Uri, item.LanguageId, item.Version, item.Text, limits.CurrentValue.MaxDocumentChars);
    }
}
