namespace Code4me.Lsp.Core.Chat;

/// <summary>A conversation, with the provider settings it was started with (as seed 003's conversations keep them).</summary>
public sealed record ChatRecord(
    Guid ChatId,
    string Title,
    DateTimeOffset CreatedAt,
    string Provider,
    string Model,
    string SystemPrompt,
    int ContextWindowTokens);
