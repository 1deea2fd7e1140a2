namespace Code4me.Lsp.Core.Chat;

/// <summary>
/// The record that a conversation outgrew its context window for one query (seed 003's context optimisations):
/// the earlier queries left out (<see cref="ChatContextStrategy.Truncate"/>) or replaced by <paramref name="Summary"/>,
/// and the estimated prompt tokens with every earlier turn (<paramref name="TokensBefore"/>) and as sent.
/// </summary>
public sealed record ChatContextOptimization(
    Guid OptimizationId,
    ChatContextStrategy Kind,
    int TokensBefore,
    int TokensAfter,
    string? Summary,
    IReadOnlyList<Guid> AffectedQueryIds);
