using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>$/progress</c> carrying work-done progress.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#progress"/>
internal sealed class ProgressParams
{
    [JsonPropertyName("token")]
    [JsonRequired]
    public required string Token { get; init; }

    [JsonPropertyName("value")]
    [JsonRequired]
    public required WorkDoneProgressValue Value { get; init; }
}
