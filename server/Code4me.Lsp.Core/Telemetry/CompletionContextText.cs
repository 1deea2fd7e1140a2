namespace Code4me.Lsp.Core.Telemetry;

/// <summary>The code the model was given (→ the <c>context</c> row).</summary>
public sealed record CompletionContextText(string Prefix, string Suffix, string? SelectedText);
