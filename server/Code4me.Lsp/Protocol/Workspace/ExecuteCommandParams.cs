using System.Text.Json;
using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>workspace/executeCommand</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#executeCommandParams"/>
internal sealed class ExecuteCommandParams
{
    [JsonPropertyName("command")]
    [JsonRequired]
    public required string CommandIdentifier { get; init; }

    [JsonPropertyName("arguments")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement[]? Arguments { get; init; }
}
