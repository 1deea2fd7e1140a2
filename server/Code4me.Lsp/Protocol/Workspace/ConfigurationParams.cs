using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>workspace/configuration</c> (server → client): the sections the server asks for.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#configurationParams"/>
internal sealed class ConfigurationParams
{
    [JsonPropertyName("items")]
    [JsonRequired]
    public required IReadOnlyList<ConfigurationItem> Items { get; init; }
}
