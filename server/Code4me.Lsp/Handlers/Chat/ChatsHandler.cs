using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Chat;

/// <summary><c>code4me/chats</c>: the user's chats, newest first, a page at a time.</summary>
internal sealed class ChatsHandler(ChatService chat) : IRequestHandler<ChatsParams, ChatList>
{
    public const int DefaultPageSize = 50;

    public async Task<ChatList> HandleAsync(ChatsParams request, CancellationToken cancellationToken)
    {
        var page = await chat.ListAsync(request.Page ?? 0, request.PageSize ?? DefaultPageSize, cancellationToken);
        return ProtocolConversions.ToChatList(page);
    }
}
