using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>$/setTrace</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#setTrace"/>
internal sealed class SetTraceParams
{
    /// <summary><c>off</c>, <c>messages</c> or <c>verbose</c>.</summary>
    [JsonPropertyName("value")]
    [JsonRequired]
    public required string Value { get; init; }
}
