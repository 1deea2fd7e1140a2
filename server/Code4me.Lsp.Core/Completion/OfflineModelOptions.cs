namespace Code4me.Lsp.Core.Completion;

/// <summary>The offline n-gram model (<c>Code4me:Completion:Offline:…</c>).</summary>
public sealed class OfflineModelOptions
{
    /// <summary>N-gram order (tokens of context + 1), 2–8.</summary>
    public int Order { get; set; } = 6;

    /// <summary>Absolute discount of interpolated Kneser-Ney, in (0, 1).</summary>
    public double Discount { get; set; } = 0.75;

    /// <summary>Cap on stored n-gram and context entries over all languages; above it the rarest n-grams are pruned.</summary>
    public int MaxEntries { get; set; } = 2_000_000;

    /// <summary>Only the last this-many characters of the prefix are tokenized per completion.</summary>
    public int MaxPrefixChars { get; set; } = 1024;

    /// <summary>Generation stops before a token whose probability is below this.</summary>
    public double MinTokenProbability { get; set; } = 0.05;

    /// <summary>
    /// Nothing is offered when the model's probability that the first three characters of its suggestion are right is
    /// below this, in [0, 1): 0 offers everything the model generates.
    /// </summary>
    public double MinConfidence { get; set; } = 0.13;

    /// <summary>Maximum tokens generated.</summary>
    public int MaxTokens { get; set; } = 48;

    /// <summary>Maximum lines of a multi-line completion.</summary>
    public int MaxLines { get; set; } = 8;

    /// <summary>Index the workspace folders at start.</summary>
    public bool IndexWorkspace { get; set; } = true;

    /// <summary>Workspace indexing reads at most this many files.</summary>
    public int MaxIndexedFiles { get; set; } = 5000;

    /// <summary>Files larger than this are skipped by the indexer.</summary>
    public int MaxFileBytes { get; set; } = 512 * 1024;

    /// <summary>Workspace indexing stops after this many bytes in total.</summary>
    public long MaxIndexedBytes { get; set; } = 64L * 1024 * 1024;
}
