using Code4me.Lsp.Core.Privacy;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// What one completion query adds to the multi-file context telemetry of its project (definitions in
/// <see cref="MultiFileContextTracker"/>): baseline candidates (<c>project.multi_file_contexts</c>, first write per
/// path wins), new changes (<c>project.multi_file_context_changes</c>) and this query's
/// <c>meta_query.multi_file_context_changes_indexes</c>.
/// </summary>
/// <param name="Baselines">Path → the file's (redacted) text, for files this session uses for the first time.</param>
/// <param name="Changes">Change key (<c>"&lt;session id&gt;:&lt;n&gt;"</c>) → change, only the ones new with this query.</param>
/// <param name="Indexes">
/// Path → the change keys to apply, in order, to the project's baseline of the path to get the file as the prompt saw
/// it; null for a file that was used but not recorded (longer than <see cref="TelemetryOptions.MultiFileMaxCharsPerFile"/>).
/// </param>
public sealed record MultiFileContext(
    IReadOnlyDictionary<string, string> Baselines,
    IReadOnlyDictionary<string, MultiFileContextChange> Changes,
    IReadOnlyDictionary<string, IReadOnlyList<string>?> Indexes)
{
    /// <summary>
    /// This context without secret files (all three parts) and with secrets redacted from every text, as
    /// <see cref="ConsentPolicy"/> does for the rest of the recorded code. The tracker already diffs redacted
    /// text, so for its own output this changes nothing and offsets stay exact.
    /// </summary>
    public MultiFileContext Redacted(SecretFileMatcher secretFiles)
    {
        ArgumentNullException.ThrowIfNull(secretFiles);
        return new MultiFileContext(
            Baselines.Where(b => !secretFiles.IsSecret(b.Key)).ToDictionary(b => b.Key, b => SecretRedactor.Redact(b.Value)!, StringComparer.Ordinal),
            Changes.Where(c => !secretFiles.IsSecret(c.Value.Path)).ToDictionary(c => c.Key, c => c.Value with { Text = SecretRedactor.Redact(c.Value.Text)! }, StringComparer.Ordinal),
            Indexes.Where(i => !secretFiles.IsSecret(i.Key)).ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal));
    }
}
