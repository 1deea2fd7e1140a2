using System.Security.Cryptography;
using System.Text;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Diagnostics;

/// <summary><c>code4me/documentState</c>: version, length, line count and hash of an open document.</summary>
internal sealed class DocumentStateHandler(DocumentStore documents) : IRequestHandler<DocumentStateParams, DocumentState>
{
    public Task<DocumentState> HandleAsync(DocumentStateParams request, CancellationToken cancellationToken)
    {
        var document = documents.Get(request.TextDocument.Uri);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Encoding.UTF8.GetMaxByteCount(Rope.MaxLeafLength)];
        var encoder = Encoding.UTF8.GetEncoder();
        foreach (var chunk in document.Text.Chunks())
        {
            // The encoder carries a surrogate pair split across two leaves.
            var count = encoder.GetBytes(chunk.Span, buffer, flush: false);
            hash.AppendData(buffer, 0, count);
        }

        hash.AppendData(buffer, 0, encoder.GetBytes([], buffer, flush: true));
        return Task.FromResult(new DocumentState
        {
            Uri = document.Uri,
            LanguageId = document.LanguageId,
            Version = document.Version,
            Length = document.Text.Length,
            LineCount = document.Text.LineCount,
            Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset()),
        });
    }
}
