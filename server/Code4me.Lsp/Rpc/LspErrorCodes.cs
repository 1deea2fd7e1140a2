namespace Code4me.Lsp.Rpc;

/// <summary>The JSON-RPC and LSP error codes the server answers with, in one place.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#errorCodes"/>
internal static class LspErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    /// <summary>A request arrived before <c>initialize</c>.</summary>
    public const int ServerNotInitialized = -32002;

    public const int UnknownErrorCode = -32001;

    /// <summary>The server cancelled the request (e.g. a newer one superseded it).</summary>
    public const int ServerCancelled = -32802;

    /// <summary>The request was valid but failed (e.g. the chat provider answered with an error). Since LSP 3.17.</summary>
    public const int RequestFailed = -32803;

    /// <summary>The client cancelled the request.</summary>
    public const int RequestCancelled = -32800;
}
