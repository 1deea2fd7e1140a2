using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>A range between two positions; the end is exclusive.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#range"/>
internal sealed class Range
{
    [JsonPropertyName("start")]
    [JsonRequired]
    public required Position Start { get; init; }

    [JsonPropertyName("end")]
    [JsonRequired]
    public required Position End { get; init; }
}
