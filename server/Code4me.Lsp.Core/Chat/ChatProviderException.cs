namespace Code4me.Lsp.Core.Chat;

/// <summary>The chat provider failed (an HTTP error, a rate limit, a timeout). The partial reply was recorded.</summary>
public sealed class ChatProviderException : Exception
{
    public ChatProviderException()
    {
    }

    public ChatProviderException(string message)
        : base(message)
    {
    }

    public ChatProviderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What arrived before the failure.</summary>
    public string PartialReply { get; init; } = "";
}
