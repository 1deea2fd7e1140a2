using Code4me.Lsp.Core.Documents;

namespace Code4me.Lsp.Core.Completion;

/// <summary>Text of another open document offered to the models as extra context.</summary>
/// <param name="Path">File path or URI of the document.</param>
/// <param name="LanguageId">LSP language id.</param>
/// <param name="Text">The snippet (already cut to the budget the caller chose).</param>
public sealed record ContextSnippet(string Path, string LanguageId, string Text)
{
    /// <summary>The whole document snapshot the snippet was cut from (for multi-file context telemetry); null if unknown.</summary>
    public Rope? Source { get; init; }
}
