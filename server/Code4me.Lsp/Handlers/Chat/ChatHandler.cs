using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Core.Privacy;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using StreamJsonRpc;

namespace Code4me.Lsp.Handlers.Chat;

/// <summary>
/// <c>code4me/chat</c>: streams each piece of the reply as <c>$/progress</c> (when the client gives a
/// <c>partialResultToken</c>) and answers with the whole reply. <c>$/cancelRequest</c> stops generation: the partial
/// reply is recorded and the request answers RequestCancelled (-32800). A provider failure answers RequestFailed
/// (-32803) with a message saying what happened; its partial reply is recorded too. Secret files never go into the prompt.
/// </summary>
internal sealed class ChatHandler(DocumentStore documents, Rpc.Lifecycle lifecycle, ChatService chat, ClientChannel client, SecretFileMatcher secretFiles)
    : IRequestHandler<ChatParams, ChatResult>
{
    public async Task<ChatResult> HandleAsync(ChatParams request, CancellationToken cancellationToken)
    {
        // Snapshot before the first await.
        var core = ProtocolConversions.ToChatRequest(request, documents, lifecycle.PositionEncoding, secretFiles);
        var sent = Task.CompletedTask;
        Action<string> onDelta = request.PartialResultToken is { } token
            ? delta => sent = SendAfterAsync(sent, new ChatProgressParams { Token = token, Value = new ChatDelta { Delta = delta } })
            : _ => { };
        try
        {
            return ProtocolConversions.ToChatResult(await chat.SendAsync(core, onDelta, cancellationToken));
        }
        catch (ChatProviderException e)
        {
            throw new LocalRpcException(e.Message) { ErrorCode = LspErrorCodes.RequestFailed };
        }
        finally
        {
            await sent; // every piece goes out before the response, whatever it is
        }
    }

    private async Task SendAfterAsync(Task previous, ChatProgressParams progress)
    {
        await previous;
        await client.NotifyAsync(LspMethods.Progress, progress, LspJson.TypeInfo<ChatProgressParams>());
    }
}
