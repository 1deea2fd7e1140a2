namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>Limits of one greedy decode.</summary>
internal readonly record struct DecodeSettings(
    bool MultiLine,
    int MaxTokens,
    int MaxLines,
    double MinTokenProbability);
