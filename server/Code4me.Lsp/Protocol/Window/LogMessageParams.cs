using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>window/logMessage</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#logMessageParams"/>
internal sealed class LogMessageParams
{
    /// <summary><see cref="MessageType"/>.</summary>
    [JsonPropertyName("type")]
    [JsonRequired]
    public int Type { get; init; }

    [JsonPropertyName("message")]
    [JsonRequired]
    public required string Message { get; init; }
}
