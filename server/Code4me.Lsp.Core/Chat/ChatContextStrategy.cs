namespace Code4me.Lsp.Core.Chat;

/// <summary>What happens to the older turns of a conversation that outgrew the context window.</summary>
public enum ChatContextStrategy
{
    /// <summary>They are left out of the prompt (the default: no extra provider call).</summary>
    Truncate,

    /// <summary>The same provider summarises them into one system message (one extra call per such message).</summary>
    Summarize,
}
