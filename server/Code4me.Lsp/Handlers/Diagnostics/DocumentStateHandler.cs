using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Diagnostics;

/// <summary><c>code4me/documentState</c>: version, length, line count and hash of an open document.</summary>
internal sealed class DocumentStateHandler(DocumentStore documents) : IRequestHandler<DocumentStateParams, DocumentState>
{
    public Task<DocumentState> HandleAsync(DocumentStateParams request, CancellationToken cancellationToken) =>
        Task.FromResult(ProtocolConversions.ToDocumentState(documents.Get(request.TextDocument.Uri)));
}
