namespace Code4me.Lsp.Core.Completion;

/// <summary>A change of <see cref="CompletionStatus"/>: the new state, and the model and error when an outage just began.</summary>
public sealed record CompletionStatusChange(CompletionState State, string? OutageModel, string? OutageError);
