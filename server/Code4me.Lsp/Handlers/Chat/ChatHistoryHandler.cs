using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Chat;

/// <summary><c>code4me/chatHistory</c>: a chat's messages, oldest first.</summary>
internal sealed class ChatHistoryHandler(ChatService chat) : IRequestHandler<ChatHistoryParams, ChatHistory>
{
    public async Task<ChatHistory> HandleAsync(ChatHistoryParams request, CancellationToken cancellationToken)
    {
        var (record, exchanges) = await chat.HistoryAsync(ProtocolConversions.ToChatId(request.ChatId), cancellationToken);
        return ProtocolConversions.ToChatHistory(record, exchanges);
    }
}
