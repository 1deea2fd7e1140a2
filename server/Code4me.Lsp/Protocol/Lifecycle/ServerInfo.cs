using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Information about the server.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#initializeResult"/>
internal sealed class ServerInfo
{
    [JsonPropertyName("name")]
    [JsonRequired]
    public required string Name { get; init; }

    [JsonPropertyName("version")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Version { get; init; }
}
