using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>General client capabilities.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#generalClientCapabilities"/>
/// <remarks>Since LSP 3.17.</remarks>
internal sealed class GeneralClientCapabilities
{
    /// <summary>Encodings the client supports, in order of preference.</summary>
    [JsonPropertyName("positionEncodings")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string[]? PositionEncodings { get; init; }
}
