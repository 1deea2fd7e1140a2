namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// Everything the completion engine needs about one caret position, as plain strings.
/// The LSP handler builds it from a document snapshot; Core never sees the rope or the wire.
/// </summary>
public sealed record CompletionContext
{
    /// <summary>Key of the document (its URI string); the typed-ahead cache and the offline model use it.</summary>
    public required string DocumentKey { get; init; }

    /// <summary>Text before the caret, already windowed to <see cref="CompletionOptions.PrefixCharBudget"/>.</summary>
    public required string Prefix { get; init; }

    /// <summary>Offset in the document of <see cref="Prefix"/>'s first character (so the caret is at PrefixOffset + Prefix.Length).</summary>
    public int PrefixOffset { get; init; }

    /// <summary>Text after the caret, already windowed to <see cref="CompletionOptions.SuffixCharBudget"/>.</summary>
    public required string Suffix { get; init; }

    /// <summary>LSP language id (<c>python</c>, <c>csharp</c>, …).</summary>
    public required string LanguageId { get; init; }

    /// <summary>File path (or URI) shown to remote models.</summary>
    public string FilePath { get; init; } = "";

    /// <summary>Invoked (manual) or automatic.</summary>
    public CompletionTriggerKind TriggerKind { get; init; } = CompletionTriggerKind.Automatic;

    /// <summary>Snippets of other open documents of the same language, most recently edited first.</summary>
    public IReadOnlyList<ContextSnippet> OtherDocuments { get; init; } = [];

    /// <summary>Stable user id (auth token hash or anonymous install id); the A/B policy splits on it.</summary>
    public string UserId { get; init; } = "";
}
