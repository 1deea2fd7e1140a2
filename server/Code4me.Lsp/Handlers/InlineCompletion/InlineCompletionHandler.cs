using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.InlineCompletion;

/// <summary>
/// <c>textDocument/inlineCompletion</c>: converts the request on the document's snapshot, runs the use case
/// (<see cref="CompletionFlow"/>: debounce, supersession, context, models, telemetry), converts the answer back. Each item
/// carries the <c>code4me.acceptCompletion</c> command with its query and model.
/// </summary>
internal sealed class InlineCompletionHandler(DocumentStore documents, Rpc.Lifecycle lifecycle, CompletionFlow flow)
    : IRequestHandler<InlineCompletionParams, InlineCompletionList>
{
    public const string AcceptCommand = InlineCompletionConversions.AcceptCommand;

    public async Task<InlineCompletionList> HandleAsync(InlineCompletionParams request, CancellationToken cancellationToken)
    {
        // Snapshot before the first await: later edits do not move this request's position.
        var document = documents.Get(request.TextDocument.Uri);
        var completion = InlineCompletionConversions.ToCompletionRequest(request, document, lifecycle.PositionEncoding);
        var answer = await flow.CompleteAsync(completion, cancellationToken).ConfigureAwait(false);
        return InlineCompletionConversions.ToInlineCompletionList(answer, completion, request.Context.SelectedCompletionInfo, lifecycle.PositionEncoding);
    }
}
