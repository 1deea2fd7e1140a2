namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>The last observed text of a document and its tokens, so a change only recounts what it touched.</summary>
internal sealed class TrackedDocument(string languageId)
{
    public string LanguageId { get; } = languageId;

    public string Text { get; set; } = "";

    /// <summary>Token ids, in document order.</summary>
    public List<int> Ids { get; } = [];

    /// <summary>Start offset of each token in <see cref="Text"/>.</summary>
    public List<int> Starts { get; } = [];

    public long ApproximateBytes => 24L + (2L * Text.Length) + (8L * Ids.Capacity);
}
