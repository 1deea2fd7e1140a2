namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// One <c>had_generation</c> row as known when the query completed. <see cref="ShownAt"/> starts empty and
/// <see cref="WasAccepted"/> false; later <see cref="ShownEvent"/>s and <see cref="AcceptedEvent"/>s update them.
/// </summary>
/// <param name="Model">The model name (→ <c>model_name.model_name</c>).</param>
/// <param name="GenerationTimeMs">Time the model took, in milliseconds.</param>
public sealed record GenerationRecord(
    string Model,
    string Completion,
    int GenerationTimeMs,
    double Confidence,
    IReadOnlyList<double> Logprobs,
    IReadOnlyList<DateTimeOffset> ShownAt,
    bool WasAccepted);
