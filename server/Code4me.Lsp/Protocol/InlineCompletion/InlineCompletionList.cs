using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Result of <c>textDocument/inlineCompletion</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#inlineCompletionList"/>
/// <remarks>Since LSP 3.18.</remarks>
internal sealed class InlineCompletionList
{
    [JsonPropertyName("items")]
    [JsonRequired]
    public required InlineCompletionItem[] Items { get; init; }
}
