namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// One <c>had_generation</c> row as known when the query completed. <see cref="ShownAt"/> starts empty and
/// <see cref="WasAccepted"/> false; later <see cref="ShownEvent"/>s and <see cref="AcceptedEvent"/>s update them.
/// </summary>
/// <param name="Model">The model name (→ <c>model_name.model_name</c>).</param>
/// <param name="GenerationTimeMs">Time the model took, in milliseconds.</param>
/// <param name="PromptTokens">→ <c>prompt_tokens</c>: the prompt's tokens as the model counted them; null when it did not say
/// (and in events spooled before the field existed).</param>
/// <param name="CompletionTokens">→ <c>completion_tokens</c>: tokens the model generated, before post-processing; null when unknown.</param>
public sealed record GenerationRecord(
    string Model,
    string Completion,
    int GenerationTimeMs,
    double Confidence,
    IReadOnlyList<double> Logprobs,
    IReadOnlyList<DateTimeOffset> ShownAt,
    bool WasAccepted,
    int? PromptTokens = null,
    int? CompletionTokens = null);
