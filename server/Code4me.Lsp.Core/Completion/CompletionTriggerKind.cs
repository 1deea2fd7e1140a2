namespace Code4me.Lsp.Core.Completion;

/// <summary>Why a completion was asked for (LSP <c>InlineCompletionTriggerKind</c>).</summary>
public enum CompletionTriggerKind
{
    /// <summary>The user asked explicitly (telemetry: <c>manual</c>).</summary>
    Invoked = 1,

    /// <summary>The editor asked while the user typed (telemetry: <c>auto</c>).</summary>
    Automatic = 2,
}
