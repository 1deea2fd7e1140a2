namespace Code4me.Lsp.Core.Documents;

/// <summary>A range in LSP coordinates (encoding-dependent characters), as the client sent it.</summary>
public readonly record struct LineRange(int StartLine, int StartCharacter, int EndLine, int EndCharacter);
