using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>window/showMessage</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#showMessageParams"/>
internal sealed class ShowMessageParams
{
    /// <summary><see cref="MessageType"/>.</summary>
    [JsonPropertyName("type")]
    [JsonRequired]
    public int Type { get; init; }

    [JsonPropertyName("message")]
    [JsonRequired]
    public required string Message { get; init; }
}
