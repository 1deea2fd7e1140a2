using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>A zero-based line and character offset (in the negotiated position encoding).</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#position"/>
internal sealed class Position
{
    [JsonPropertyName("line")]
    [JsonRequired]
    public int Line { get; init; }

    [JsonPropertyName("character")]
    [JsonRequired]
    public int Character { get; init; }
}
