using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>One section asked for by <c>workspace/configuration</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#configurationItem"/>
internal sealed class ConfigurationItem
{
    [JsonPropertyName("scopeUri")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ScopeUri { get; init; }

    [JsonPropertyName("section")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Section { get; init; }
}
