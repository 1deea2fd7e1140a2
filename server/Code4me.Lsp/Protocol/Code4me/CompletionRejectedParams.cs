using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary><c>code4me/completionRejected</c>: the user dismissed an item (Escape, or typed something else). No standard exists for this.</summary>
internal sealed class CompletionRejectedParams
{
    [JsonPropertyName("item")]
    [JsonRequired]
    public required InlineCompletionItem Item { get; init; }
}
