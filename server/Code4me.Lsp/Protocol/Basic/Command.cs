using System.Text.Json;
using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>A command the client executes, e.g. on accepting an inline completion.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#command"/>
internal sealed class Command
{
    [JsonPropertyName("title")]
    [JsonRequired]
    public required string Title { get; init; }

    /// <summary>The identifier of the command handler (the spec's <c>command</c> property).</summary>
    [JsonPropertyName("command")]
    [JsonRequired]
    public required string CommandIdentifier { get; init; }

    [JsonPropertyName("arguments")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement[]? Arguments { get; init; }
}
