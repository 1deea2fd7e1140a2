namespace Code4me.Lsp.Core.Chat;

/// <summary>One user message and the reply to it (a chat query and its generation).</summary>
public sealed record ChatExchange(
    Guid QueryId,
    Guid ChatId,
    DateTimeOffset Timestamp,
    string Message,
    string Reply,
    string Model,
    ChatOutcome Outcome,
    int GenerationTimeMs,
    int PromptTokens,
    int CompletionTokens,
    bool UsageEstimated,
    decimal? Cost,
    int DroppedTurns,
    bool WebEnabled,
    string? FileName,
    string? SelectedText,
    bool IsMistake = false,
    string? MistakeNote = null,
    string? LanguageId = null,
    ChatContextOptimization? Optimization = null);
