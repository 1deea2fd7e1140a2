namespace Code4me.Lsp.Core.Chat;

/// <summary>The code a chat message is about: the current file, the selection in it, and other open files.</summary>
/// <param name="FileName">Path of the current file.</param>
/// <param name="LanguageId">The LSP language id of the current file.</param>
/// <param name="FileText">Text of the current file.</param>
/// <param name="SelectedText">The selected range, or null.</param>
/// <param name="OtherFiles">Other open files (path, text), most relevant first.</param>
public sealed record ChatCodeContext(string FileName, string LanguageId, string FileText, string? SelectedText, IReadOnlyList<(string Path, string Text)> OtherFiles);
