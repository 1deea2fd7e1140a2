using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>The completion-list item currently selected in the editor, if any.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#selectedCompletionInfo"/>
/// <remarks>Since LSP 3.18.</remarks>
internal sealed class SelectedCompletionInfo
{
    [JsonPropertyName("range")]
    [JsonRequired]
    public required Range Range { get; init; }

    [JsonPropertyName("text")]
    [JsonRequired]
    public required string Text { get; init; }
}
