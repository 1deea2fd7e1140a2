using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Information about the client (the editor).</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#initializeParams"/>
internal sealed class ClientInfo
{
    [JsonPropertyName("name")]
    [JsonRequired]
    public required string Name { get; init; }

    [JsonPropertyName("version")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Version { get; init; }
}
