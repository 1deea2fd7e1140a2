namespace Code4me.Lsp.Core.Telemetry;

/// <summary>What the editor has reported about one answered query so far (<see cref="QueryFeedback.State"/>).</summary>
/// <param name="ShownCount">Displays reported.</param>
/// <param name="AcceptedModel">The model whose suggestion was last accepted in full; null when none was.</param>
/// <param name="PartiallyAcceptedLength">The longest partial acceptance reported, in UTF-16 units; 0 when none.</param>
/// <param name="Rejected">True once a rejection was reported.</param>
/// <param name="Models">The models that had answered when the editor got its items, in order of arrival.</param>
/// <param name="FromCache">True when the typed-ahead cache answered instead of the models.</param>
public sealed record QueryFeedbackState(int ShownCount, string? AcceptedModel, int PartiallyAcceptedLength, bool Rejected, IReadOnlyList<string> Models, bool FromCache);
