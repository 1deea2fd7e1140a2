namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// One model's answer to one query (one <c>had_generation</c> row), successful or not.
/// </summary>
public sealed record ModelGeneration
{
    /// <summary>Configured model name (<see cref="CompletionModelOptions.Name"/>).</summary>
    public required string ModelName { get; init; }

    /// <summary>The completion after post-processing; empty when the model had nothing or failed.</summary>
    public string Completion { get; init; } = "";

    /// <summary>The completion as the model returned it, before post-processing.</summary>
    public string RawCompletion { get; init; } = "";

    /// <summary>Wall-clock milliseconds from the start of the query to this answer.</summary>
    public double GenerationTimeMs { get; init; }

    /// <summary>exp(mean of <see cref="Logprobs"/>), the geometric mean token probability, in [0, 1]; 0 without logprobs.</summary>
    public double Confidence { get; init; }

    /// <summary>Natural-log probability of each generated token, in order (empty when the model gives none).</summary>
    public IReadOnlyList<double> Logprobs { get; init; } = [];

    /// <summary>Prompt tokens as the model counted them; null when it did not say.</summary>
    public int? PromptTokens { get; init; }

    /// <summary>Tokens the model generated (before post-processing trimmed the text); null when it did not say.</summary>
    public int? CompletionTokens { get; init; }

    /// <summary>Why the model produced nothing (<c>timeout</c>, <c>http 500</c>, …); null on success.</summary>
    public string? Error { get; init; }

    /// <summary>True when the answer arrived after the deadline had already closed the query.</summary>
    public bool Late { get; init; }

    /// <summary>True when there is no error and the completion is not empty.</summary>
    public bool IsUsable => Error is null && Completion.Length > 0;

    /// <summary>The confidence definition used everywhere: exp(mean logprob), 0 for no tokens.</summary>
    public static double ConfidenceOf(IReadOnlyList<double> logprobs)
    {
        if (logprobs.Count == 0)
        {
            return 0;
        }

        double sum = 0;
        foreach (var lp in logprobs)
        {
            sum += lp;
        }

        return Math.Exp(sum / logprobs.Count);
    }
}
