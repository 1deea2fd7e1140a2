using System.Text.Json;
using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>textDocument/inlineCompletion</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#inlineCompletionParams"/>
/// <remarks>Since LSP 3.18.</remarks>
internal sealed class InlineCompletionParams
{
    [JsonPropertyName("textDocument")]
    [JsonRequired]
    public required TextDocumentIdentifier TextDocument { get; init; }

    [JsonPropertyName("position")]
    [JsonRequired]
    public required Position Position { get; init; }

    [JsonPropertyName("context")]
    [JsonRequired]
    public required InlineCompletionContext Context { get; init; }

    [JsonPropertyName("workDoneToken")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? WorkDoneToken { get; init; }
}
