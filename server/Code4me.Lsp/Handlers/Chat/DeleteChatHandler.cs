using System.Text.Json;
using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Chat;

/// <summary><c>code4me/deleteChat</c>: the chat and its messages.</summary>
internal sealed class DeleteChatHandler(ChatService chat) : IRequestHandler<DeleteChatParams, JsonElement?>
{
    public async Task<JsonElement?> HandleAsync(DeleteChatParams request, CancellationToken cancellationToken)
    {
        await chat.DeleteAsync(ProtocolConversions.ToChatId(request.ChatId), cancellationToken);
        return null;
    }
}
