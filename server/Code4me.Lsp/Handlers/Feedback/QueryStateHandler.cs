using Code4me.Lsp.Core;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Feedback;

/// <summary><c>code4me/queryState</c>: what the server recorded about a completion query.</summary>
internal sealed class QueryStateHandler(QueryFeedback feedback) : IRequestHandler<QueryStateParams, QueryState>
{
    public Task<QueryState> HandleAsync(QueryStateParams request, CancellationToken cancellationToken) =>
        Task.FromResult(feedback.State(FeedbackConversions.ToQueryId(request.QueryId)) is { } state
            ? FeedbackConversions.ToQueryState(request.QueryId, state)
            : throw new InvalidInputException($"Unknown completion query '{request.QueryId}' (never answered by this server, or expired)."));
}
