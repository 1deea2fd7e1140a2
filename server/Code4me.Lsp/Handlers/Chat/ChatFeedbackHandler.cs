using System.Text.Json;
using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Chat;

/// <summary><c>code4me/chatFeedback</c>: marks a reply as a mistake (with an optional note) or clears the mark.</summary>
internal sealed class ChatFeedbackHandler(ChatService chat) : IRequestHandler<ChatFeedbackParams, JsonElement?>
{
    public async Task<JsonElement?> HandleAsync(ChatFeedbackParams request, CancellationToken cancellationToken)
    {
        await chat.FeedbackAsync(
            ProtocolConversions.ToChatId(request.ChatId),
            ProtocolConversions.ToChatId(request.QueryId),
            request.IsMistake,
            request.Note,
            cancellationToken);
        return null;
    }
}
