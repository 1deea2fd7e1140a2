using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary><c>textDocument/didShowCompletion</c>: the editor displayed an item (the shape used by the most widely used completion server, so its clients fit).</summary>
internal sealed class DidShowCompletionParams
{
    [JsonPropertyName("item")]
    [JsonRequired]
    public required InlineCompletionItem Item { get; init; }
}
