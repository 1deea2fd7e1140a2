using Microsoft.Extensions.AI;

namespace Code4me.Lsp.Core.Chat;

/// <summary>The messages sent to the provider, their estimated size, and how many older turns were left out.</summary>
public sealed record ChatPrompt(IReadOnlyList<ChatMessage> Messages, int EstimatedTokens, int DroppedTurns);
