using System.Text.Json;
using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Chat;

/// <summary><c>code4me/renameChat</c>.</summary>
internal sealed class RenameChatHandler(ChatService chat) : IRequestHandler<RenameChatParams, JsonElement?>
{
    public async Task<JsonElement?> HandleAsync(RenameChatParams request, CancellationToken cancellationToken)
    {
        await chat.RenameAsync(ProtocolConversions.ToChatId(request.ChatId), request.Title, cancellationToken);
        return null;
    }
}
