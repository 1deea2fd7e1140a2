namespace Code4me.Lsp.Core.Documents;

/// <summary>
/// One applied change in UTF-16 offsets of the document it applied to: <see cref="Length"/> characters
/// at <see cref="Offset"/> were replaced by <see cref="NewText"/>.
/// </summary>
public readonly record struct TextEdit(int Offset, int Length, string NewText);
