namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>What the offline model holds in memory.</summary>
/// <param name="Languages">Per-language models.</param>
/// <param name="Entries">N-gram plus context entries over all languages (bounded by <see cref="OfflineModelOptions.MaxEntries"/>).</param>
/// <param name="VocabularySize">Distinct tokens over all languages.</param>
/// <param name="TrackedDocuments">Documents whose tokens are kept for incremental updates.</param>
/// <param name="ApproximateBytes">Estimated managed bytes of tables, vocabularies and tracked documents.</param>
/// <param name="Prunings">How often the entry cap forced a pruning pass.</param>
public sealed record OfflineModelMemory(int Languages, long Entries, long VocabularySize, int TrackedDocuments, long ApproximateBytes, int Prunings);
