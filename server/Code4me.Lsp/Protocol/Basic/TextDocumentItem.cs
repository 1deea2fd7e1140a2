using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>A document the client opened, with its whole text.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#textDocumentItem"/>
internal sealed class TextDocumentItem
{
    [JsonPropertyName("uri")]
    [JsonRequired]
    public required string Uri { get; init; }

    [JsonPropertyName("languageId")]
    [JsonRequired]
    public required string LanguageId { get; init; }

    [JsonPropertyName("version")]
    [JsonRequired]
    public int Version { get; init; }

    [JsonPropertyName("text")]
    [JsonRequired]
    public required string Text { get; init; }
}
