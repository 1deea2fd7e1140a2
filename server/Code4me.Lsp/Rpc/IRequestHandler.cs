namespace Code4me.Lsp.Rpc;

/// <summary>Handles one LSP request method. Takes its document snapshots before its first await.</summary>
internal interface IRequestHandler<in TParams, TResult>
{
    Task<TResult> HandleAsync(TParams request, CancellationToken cancellationToken);
}
