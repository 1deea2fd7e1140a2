namespace Code4me.Lsp.Core.Chat;

/// <summary>The answer to a <see cref="ChatRequest"/>.</summary>
/// <param name="UsageEstimated">True when the provider reported no usage and the counts are estimates (characters / 4).</param>
/// <param name="DroppedTurns">Older exchanges left out of the prompt verbatim because the conversation outgrew the context window.</param>
/// <param name="Optimization">How they were handled (left out, or summarised), or null when every turn fitted.</param>
public sealed record ChatReply(
    Guid ChatId,
    Guid QueryId,
    string Reply,
    string Model,
    int PromptTokens,
    int CompletionTokens,
    bool UsageEstimated,
    decimal? Cost,
    int DroppedTurns,
    ChatContextOptimization? Optimization = null);
