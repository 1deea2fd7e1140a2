using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>textDocument/didOpen</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#didOpenTextDocumentParams"/>
internal sealed class DidOpenTextDocumentParams
{
    [JsonPropertyName("textDocument")]
    [JsonRequired]
    public required TextDocumentItem TextDocument { get; init; }
}
