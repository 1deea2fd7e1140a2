using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>A workspace folder the client has open.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#workspaceFolder"/>
internal sealed class WorkspaceFolder
{
    [JsonPropertyName("uri")]
    [JsonRequired]
    public required string Uri { get; init; }

    [JsonPropertyName("name")]
    [JsonRequired]
    public required string Name { get; init; }
}
