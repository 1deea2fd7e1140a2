namespace Code4me.Lsp.Core.Completion;

/// <summary>Which of several generations is shown.</summary>
public enum SelectionPolicy
{
    /// <summary>The first usable answer; the query returns as soon as it arrives.</summary>
    FirstToAnswer,

    /// <summary>The usable answer with the highest confidence among those in by the deadline.</summary>
    HighestConfidence,

    /// <summary>A stable split by user id: each user always sees the same model's answers.</summary>
    AbTest,
}
