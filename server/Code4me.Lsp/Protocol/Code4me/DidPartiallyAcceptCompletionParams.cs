using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary><c>textDocument/didPartiallyAcceptCompletion</c>: the user accepted the first <see cref="AcceptedLength"/> UTF-16 units of an item (a word, a line).</summary>
internal sealed class DidPartiallyAcceptCompletionParams
{
    [JsonPropertyName("item")]
    [JsonRequired]
    public required InlineCompletionItem Item { get; init; }

    [JsonPropertyName("acceptedLength")]
    [JsonRequired]
    public int AcceptedLength { get; init; }
}
