namespace Code4me.Lsp.Core.Completion;

/// <summary>What a model is asked: the context plus decisions the service made before calling it.</summary>
/// <param name="Context">The caret context.</param>
/// <param name="MultiLine">Whether a multi-line answer is allowed here.</param>
public sealed record ModelRequest(CompletionContext Context, bool MultiLine);
