namespace Code4me.Lsp.Core.Telemetry;

/// <summary>One model's answer to a query, as the completion engine reports it.</summary>
/// <param name="GenerationTimeMs">Time the model took, in milliseconds.</param>
/// <param name="Confidence">The model's confidence (e.g. mean token probability).</param>
public sealed record GenerationResult(string Model, string Completion, int GenerationTimeMs, double Confidence, IReadOnlyList<double> Logprobs);
