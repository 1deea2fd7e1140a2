using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>One inline suggestion. <see cref="Command"/> is <c>code4me.acceptCompletion</c>, executed by the editor on accept.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#inlineCompletionItem"/>
/// <remarks>Since LSP 3.18.</remarks>
internal sealed class InlineCompletionItem
{
    /// <summary>The text to insert (a plain string; snippets are not used).</summary>
    [JsonPropertyName("insertText")]
    [JsonRequired]
    public required string InsertText { get; init; }

    [JsonPropertyName("filterText")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FilterText { get; init; }

    /// <summary>The range the text replaces: the caret, or the caret to the end of the text the suggestion supersedes.</summary>
    [JsonPropertyName("range")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Range? Range { get; init; }

    [JsonPropertyName("command")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Command? Command { get; init; }
}
