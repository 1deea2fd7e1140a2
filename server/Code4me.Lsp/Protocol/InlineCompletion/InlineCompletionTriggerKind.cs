namespace Code4me.Lsp.Protocol;

/// <summary>How inline completion was triggered.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#inlineCompletionTriggerKind"/>
/// <remarks>Since LSP 3.18.</remarks>
internal static class InlineCompletionTriggerKind
{
    /// <summary>Explicitly requested by the user (a key binding, a command).</summary>
    public const int Invoked = 1;

    /// <summary>Requested automatically while the user types.</summary>
    public const int Automatic = 2;
}
