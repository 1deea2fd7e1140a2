namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// What the server knows of one completion query after answering it: where it was asked, what every
/// model produced, and what the editor then reported (displays, acceptance, rejection). Mutated only
/// under the <see cref="CompletionLedger"/>'s lock.
/// </summary>
public sealed class CompletionRecord(Guid queryId, string documentUri, int offset, CompletionContext context, CompletionOutcome outcome, DateTimeOffset requestedAt)
{
    private readonly List<DateTimeOffset> _shownAt = [];

    public Guid QueryId { get; } = queryId;

    public string DocumentUri { get; } = documentUri;

    /// <summary>UTF-16 offset of the caret in the document version the query saw.</summary>
    public int Offset { get; } = offset;

    public CompletionContext Context { get; } = context;

    public CompletionOutcome Outcome { get; } = outcome;

    public DateTimeOffset RequestedAt { get; } = requestedAt;

    /// <summary>Every time the editor reported displaying the suggestion.</summary>
    public IReadOnlyList<DateTimeOffset> ShownAt => _shownAt;

    public bool Accepted { get; private set; }

    public string? AcceptedModel { get; private set; }

    public int PartiallyAcceptedLength { get; private set; }

    public bool Rejected { get; private set; }

    internal void Shown(DateTimeOffset at) => _shownAt.Add(at);

    internal void Accept(string model)
    {
        Accepted = true;
        AcceptedModel = model;
    }

    internal void AcceptPartially(int length) => PartiallyAcceptedLength = Math.Max(PartiallyAcceptedLength, length);

    internal void Reject() => Rejected = true;
}
