namespace Code4me.Lsp.Core.Telemetry;

/// <summary>One model's answer to a query, as the completion engine reports it.</summary>
/// <param name="GenerationTimeMs">Time the model took, in milliseconds.</param>
/// <param name="Confidence">The model's confidence (e.g. mean token probability).</param>
/// <param name="PromptTokens">Prompt tokens as the model counted them; null when it did not say.</param>
/// <param name="CompletionTokens">Tokens the model generated; null when it did not say.</param>
public sealed record GenerationResult(
    string Model, string Completion, int GenerationTimeMs, double Confidence, IReadOnlyList<double> Logprobs, int? PromptTokens = null, int? CompletionTokens = null);
