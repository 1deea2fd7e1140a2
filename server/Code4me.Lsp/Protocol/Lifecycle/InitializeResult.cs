using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Result of the <c>initialize</c> request.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#initializeResult"/>
internal sealed class InitializeResult
{
    [JsonPropertyName("capabilities")]
    [JsonRequired]
    public required ServerCapabilities Capabilities { get; init; }

    [JsonPropertyName("serverInfo")]
    [JsonRequired]
    public required ServerInfo ServerInfo { get; init; }
}
