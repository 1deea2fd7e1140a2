using System.Text.Json;
using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>workspace/didChangeConfiguration</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#didChangeConfigurationParams"/>
internal sealed class DidChangeConfigurationParams
{
    /// <summary>The settings; the server reads its <c>code4me</c> section.</summary>
    [JsonPropertyName("settings")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Settings { get; init; }
}
