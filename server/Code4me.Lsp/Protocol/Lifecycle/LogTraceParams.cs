using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>$/logTrace</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#logTrace"/>
internal sealed class LogTraceParams
{
    [JsonPropertyName("message")]
    [JsonRequired]
    public required string Message { get; init; }

    [JsonPropertyName("verbose")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Verbose { get; init; }
}
