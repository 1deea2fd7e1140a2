namespace Code4me.Lsp.Core;

/// <summary>
/// Input from the editor that cannot be acted on (an unknown document, a position past the end of a
/// line, …). The message is written for a person; the protocol layer turns it into an LSP
/// <c>InvalidParams</c> error for a request, or a log line for a notification.
/// </summary>
public sealed class InvalidInputException : Exception
{
    public InvalidInputException()
    {
    }

    public InvalidInputException(string message)
        : base(message)
    {
    }

    public InvalidInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
