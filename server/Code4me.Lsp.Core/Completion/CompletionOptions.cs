namespace Code4me.Lsp.Core.Completion;

/// <summary>Completion settings, bound from the configuration section <c>Code4me:Completion</c>.</summary>
public sealed class CompletionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Code4me:Completion";

    /// <summary>Models asked per query. Empty means the offline model alone.</summary>
    public List<CompletionModelOptions> Models { get; set; } = [];

    /// <summary>Which generation is shown.</summary>
    public SelectionPolicy Policy { get; set; } = SelectionPolicy.FirstToAnswer;

    /// <summary>After this many milliseconds the query answers with what it has; later answers are marked late.</summary>
    public int DeadlineMs { get; set; } = 2000;

    /// <summary>Lower bound of the adaptive debounce for automatic triggers.</summary>
    public int DebounceMinMs { get; set; } = 50;

    /// <summary>Upper bound of the adaptive debounce for automatic triggers.</summary>
    public int DebounceMaxMs { get; set; } = 400;

    /// <summary>Automatic triggers get nothing; only invoked requests reach the models.</summary>
    public bool ManualOnly { get; set; }

    /// <summary>
    /// On a blank line (nothing but whitespace around the caret, as right after Enter or <c>o</c>) an automatic
    /// request waits this long instead of the debounce, so a Tab meant to indent is not taken for accepting a
    /// suggestion; a pause there still brings one. 0 treats blank lines like any other place. Invoked requests never wait.
    /// </summary>
    public int BlankLinePauseMs { get; set; } = 1000;

    /// <summary>Characters of prefix the handler passes in.</summary>
    public int PrefixCharBudget { get; set; } = 4000;

    /// <summary>Characters of suffix the handler passes in.</summary>
    public int SuffixCharBudget { get; set; } = 1000;

    /// <summary>Characters of other open documents (same language) offered to remote models, in total.</summary>
    public int OtherDocumentsCharBudget { get; set; } = 2000;

    /// <summary>Stop sequences applied to every model's output.</summary>
    public List<string> StopSequences { get; set; } = [];

    /// <summary>PEM file of extra CA certificates trusted for remote models (intercepting proxies).</summary>
    public string? CaBundlePath { get; set; }

    /// <summary>Retries of a failed remote call (5xx, 408, 429, connection errors) inside the model timeout.</summary>
    public int RemoteRetries { get; set; } = 1;

    /// <summary>The offline model.</summary>
    public OfflineModelOptions Offline { get; set; } = new();

    /// <summary>The models to run: <see cref="Models"/>, or the offline model when none is configured.</summary>
    public IReadOnlyList<CompletionModelOptions> EffectiveModels()
        => Models.Count > 0 ? Models : [new CompletionModelOptions { Name = "ngram", Kind = CompletionModelKind.Offline }];
}
