namespace Code4me.Lsp.Core.Completion;

/// <summary>What completion is doing, as the editor's status shows it.</summary>
public enum CompletionState
{
    /// <summary>Idle, every configured model answered its last call.</summary>
    Ready,

    /// <summary>A query is with the models.</summary>
    Thinking,

    /// <summary>Idle, and at least one configured model failed its last call.</summary>
    Unreachable,
}
