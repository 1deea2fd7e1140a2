namespace Code4me.Lsp.Core.Documents;

/// <summary>One content change of <c>textDocument/didChange</c>: a range replacement, or the whole text when <see cref="Range"/> is null.</summary>
public readonly record struct DocumentChange(LineRange? Range, string Text);
