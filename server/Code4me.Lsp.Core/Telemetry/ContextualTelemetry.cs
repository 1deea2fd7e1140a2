namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// The <c>contextual_telemetry</c> row (definitions in docs/notes/telemetry.md; built by <see cref="ContextualTelemetryBuilder"/>).
/// </summary>
/// <param name="PluginVersion">→ <c>plugin_version.version_name</c>.</param>
/// <param name="Ide">→ <c>plugin_version.ide_type</c>.</param>
/// <param name="Trigger">→ <c>trigger_type</c>.</param>
/// <param name="Language">The editor's <c>languageId</c> verbatim → <c>programming_language.language_name</c>.</param>
/// <param name="FilePath">Local path for <c>file:</c> URIs, else the URI.</param>
/// <param name="CaretLine">0-based line of the caret.</param>
/// <param name="DocumentCharLength">Length of the document in UTF-16 code units.</param>
/// <param name="RelativeDocumentPosition">Caret offset / length, in [0, 1]; 0 for an empty document.</param>
public sealed record ContextualTelemetry(
    Guid ContextualTelemetryId,
    string PluginVersion,
    string Ide,
    CompletionTrigger Trigger,
    string Language,
    string? FilePath,
    int CaretLine,
    int DocumentCharLength,
    double RelativeDocumentPosition);
