using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Why inline completion was requested.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#inlineCompletionContext"/>
/// <remarks>Since LSP 3.18.</remarks>
internal sealed class InlineCompletionContext
{
    /// <summary>1 = Invoked (explicitly asked for), 2 = Automatic (while typing).</summary>
    [JsonPropertyName("triggerKind")]
    [JsonRequired]
    public int TriggerKind { get; init; }

    [JsonPropertyName("selectedCompletionInfo")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SelectedCompletionInfo? SelectedCompletionInfo { get; init; }
}
