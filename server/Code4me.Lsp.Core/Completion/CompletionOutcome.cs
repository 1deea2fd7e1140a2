namespace Code4me.Lsp.Core.Completion;

/// <summary>The result of one completion query: every model's generation and the one to show.</summary>
public sealed record CompletionOutcome
{
    /// <summary>Client-generated, time-ordered query id (<see cref="Guid.CreateVersion7()"/>).</summary>
    public required Guid QueryId { get; init; }

    /// <summary>Every generation known when the query returned, in order of arrival.</summary>
    public required IReadOnlyList<ModelGeneration> Generations { get; init; }

    /// <summary>The generation to show, chosen by <see cref="CompletionOptions.Policy"/>; null shows nothing.</summary>
    public ModelGeneration? Chosen { get; init; }

    /// <summary>
    /// What the editor may cycle through: <see cref="Chosen"/> first, then every other usable generation that arrived in
    /// time, one per distinct text, in order of arrival. Empty when nothing is shown.
    /// </summary>
    public IReadOnlyList<ModelGeneration> Alternatives => Chosen is not { IsUsable: true } chosen
        ? []
        : [chosen, .. Generations.Where(g => g.IsUsable && !g.Late && g != chosen && g.Completion != chosen.Completion).DistinctBy(g => g.Completion)];

    /// <summary>True when multi-line completions were allowed at this position.</summary>
    public bool MultiLine { get; init; }

    /// <summary>Set when the typed-ahead cache answered: the query whose completion is being continued.</summary>
    public Guid? CachedFromQueryId { get; init; }

    /// <summary>
    /// Completes with every generation, including those that arrived after this outcome was returned
    /// (FirstToAnswer returns early), once all models answered or the deadline passed. Never faults.
    /// Record telemetry from this, not from <see cref="Generations"/>.
    /// </summary>
    public required Task<IReadOnlyList<ModelGeneration>> AllGenerations { get; init; }

    /// <summary>An outcome that shows nothing and calls no model.</summary>
    public static CompletionOutcome Empty(bool multiLine = false) => new()
    {
        QueryId = Guid.CreateVersion7(),
        Generations = [],
        MultiLine = multiLine,
        AllGenerations = Task.FromResult<IReadOnlyList<ModelGeneration>>([]),
    };
}
