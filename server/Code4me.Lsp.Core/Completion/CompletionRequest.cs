using Code4me.Lsp.Core.Documents;

namespace Code4me.Lsp.Core.Completion;

/// <summary>One request for an inline completion, on the snapshot of the document taken when it arrived.</summary>
/// <param name="Offset">The caret as a UTF-16 offset into <paramref name="Document"/>.</param>
/// <param name="SelectedText">The text of the editor's selected completion-list item, if its list is open (recorded as <c>selected_text</c>).</param>
public sealed record CompletionRequest(TextDocument Document, int Offset, CompletionTriggerKind Trigger, string? SelectedText = null);
