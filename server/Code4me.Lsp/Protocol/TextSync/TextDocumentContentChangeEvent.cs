using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>One content change: a range replacement, or the whole document when <see cref="Range"/> is absent.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#textDocumentContentChangeEvent"/>
internal sealed class TextDocumentContentChangeEvent
{
    [JsonPropertyName("range")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Range? Range { get; init; }

    /// <summary>Deprecated by the spec; ignored.</summary>
    [JsonPropertyName("rangeLength")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? RangeLength { get; init; }

    [JsonPropertyName("text")]
    [JsonRequired]
    public required string Text { get; init; }
}
