using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Hosting;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Handlers.TextSync;

/// <summary><c>textDocument/didChange</c>: incremental edits, applied all or nothing, only with a higher version, within the size limit.</summary>
internal sealed class DidChangeHandler(DocumentStore documents, Rpc.Lifecycle lifecycle, IOptionsMonitor<LimitsOptions> limits)
    : INotificationHandler<DidChangeTextDocumentParams>
{
    public void Handle(DidChangeTextDocumentParams notification)
    {
        var changes = new DocumentChange[notification.ContentChanges.Length];
        for (var i = 0; i < changes.Length; i++)
        {
            changes[i] = ProtocolConversions.ToDocumentChange(notification.ContentChanges[i]);
        }

        documents.Change(notification.TextDocument.Uri, notification.TextDocument.Version, changes, lifecycle.PositionEncoding, limits.CurrentValue.MaxDocumentChars);
    }
}
