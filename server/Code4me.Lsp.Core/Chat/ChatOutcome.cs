namespace Code4me.Lsp.Core.Chat;

/// <summary>How an exchange ended. A cancelled or failed exchange keeps the part of the reply that arrived.</summary>
public enum ChatOutcome
{
    Completed,
    Cancelled,
    Failed,
}
