namespace Code4me.Lsp.Rpc;

/// <summary>What a JSON-RPC message is, judged by its top-level members only.</summary>
internal enum EnvelopeKind
{
    /// <summary>A well-formed request (it has an id).</summary>
    Request,

    /// <summary>A well-formed notification.</summary>
    Notification,

    /// <summary>A result or error for some id (the handler decides whether it answers a request of the server).</summary>
    Response,

    /// <summary>Not a valid request; <see cref="JsonRpcEnvelope.ErrorCode"/> and <see cref="JsonRpcEnvelope.ErrorMessage"/> say why.</summary>
    Invalid,
}
