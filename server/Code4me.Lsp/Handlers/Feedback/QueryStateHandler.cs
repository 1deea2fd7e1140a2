using Code4me.Lsp.Core;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Feedback;

/// <summary><c>code4me/queryState</c>: what the server recorded about a completion query.</summary>
internal sealed class QueryStateHandler(CompletionLedger ledger) : IRequestHandler<QueryStateParams, QueryState>
{
    public Task<QueryState> HandleAsync(QueryStateParams request, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(request.QueryId, out var id) || !ledger.TryGet(id, out var record))
        {
            throw new InvalidInputException($"Unknown completion query '{request.QueryId}' (never answered by this server, or expired).");
        }

        return Task.FromResult(ledger.Read(record, r => new QueryState
        {
            QueryId = request.QueryId,
            ShownCount = r.ShownAt.Count,
            Accepted = r.Accepted,
            AcceptedModel = r.AcceptedModel,
            PartiallyAcceptedLength = r.PartiallyAcceptedLength,
            Rejected = r.Rejected,
            Models = [.. r.Outcome.Generations.Select(g => g.ModelName)],
            FromCache = r.Outcome.CachedFromQueryId is not null,
        }));
    }
}
