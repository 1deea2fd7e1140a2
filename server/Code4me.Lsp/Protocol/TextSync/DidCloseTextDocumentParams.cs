using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>textDocument/didClose</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#didCloseTextDocumentParams"/>
internal sealed class DidCloseTextDocumentParams
{
    [JsonPropertyName("textDocument")]
    [JsonRequired]
    public required TextDocumentIdentifier TextDocument { get; init; }
}
