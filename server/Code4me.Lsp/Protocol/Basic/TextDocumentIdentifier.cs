using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Identifies a text document by its URI.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#textDocumentIdentifier"/>
internal sealed class TextDocumentIdentifier
{
    [JsonPropertyName("uri")]
    [JsonRequired]
    public required string Uri { get; init; }
}
