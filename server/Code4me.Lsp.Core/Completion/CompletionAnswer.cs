namespace Code4me.Lsp.Core.Completion;

/// <summary>What a completion request answers: the query's id (which the editor's reports name) and what the models said.</summary>
public sealed record CompletionAnswer(Guid QueryId, CompletionOutcome Outcome)
{
    /// <summary>Nothing to show (automatic completion off, a secret file, or a request superseded by a newer one).</summary>
    public static CompletionAnswer None { get; } = new(Guid.Empty, CompletionOutcome.Empty());

    /// <summary>The chosen generation first, then every other model's different answer, for the editor to cycle through.</summary>
    public IReadOnlyList<ModelGeneration> Alternatives => Outcome.Alternatives;
}
