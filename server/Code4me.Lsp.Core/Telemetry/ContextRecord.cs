namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// The <c>context</c> row: the code the model saw. The text fields are nullable so a consent filter can
/// drop code text (the "store context" module) and keep the row.
/// </summary>
public sealed record ContextRecord(Guid ContextId, string? Prefix, string? Suffix, string? FileName, string? SelectedText);
