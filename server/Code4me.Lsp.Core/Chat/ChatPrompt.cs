using Microsoft.Extensions.AI;

namespace Code4me.Lsp.Core.Chat;

/// <summary>
/// The messages sent to the provider, their estimated size, the older turns left out (oldest first), and the estimated
/// size the prompt would have had with every turn.
/// </summary>
public sealed record ChatPrompt(IReadOnlyList<ChatMessage> Messages, int EstimatedTokens, IReadOnlyList<ChatExchange> Dropped, int TokensBefore)
{
    public int DroppedTurns => Dropped.Count;
}
