using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>textDocument/didChange</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#didChangeTextDocumentParams"/>
internal sealed class DidChangeTextDocumentParams
{
    [JsonPropertyName("textDocument")]
    [JsonRequired]
    public required VersionedTextDocumentIdentifier TextDocument { get; init; }

    [JsonPropertyName("contentChanges")]
    [JsonRequired]
    public required TextDocumentContentChangeEvent[] ContentChanges { get; init; }
}
