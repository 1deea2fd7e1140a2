using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>window/workDoneProgress/create</c> (server to client).</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#window_workDoneProgress_create"/>
internal sealed class WorkDoneProgressCreateParams
{
    [JsonPropertyName("token")]
    [JsonRequired]
    public required string Token { get; init; }
}
