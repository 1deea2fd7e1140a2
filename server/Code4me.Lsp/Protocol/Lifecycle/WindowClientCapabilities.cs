using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Window capabilities of the client.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#clientCapabilities"/>
internal sealed class WindowClientCapabilities
{
    [JsonPropertyName("workDoneProgress")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? WorkDoneProgress { get; init; }
}
