using StreamJsonRpc;

namespace Code4me.Lsp.Rpc;

/// <summary>The id and method found at the start of a body that was too large to read.</summary>
internal sealed record SniffedRequest(RequestId Id, string Method);
