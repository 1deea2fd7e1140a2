using StreamJsonRpc;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>Asserts an LSP error response by its code (StreamJsonRpc surfaces -32602 as a "method not found" exception type).</summary>
internal static class RpcAssert
{
    public static async Task<string> ErrorAsync(int expectedCode, Func<Task> request)
    {
        var exception = await Assert.ThrowsAnyAsync<RemoteRpcException>(request);
        var code = exception switch
        {
            RemoteInvocationException invocation => invocation.ErrorCode,
            RemoteMethodNotFoundException notFound => (int)notFound.ErrorCode,
            _ => throw new Xunit.Sdk.XunitException($"Unexpected {exception.GetType().Name}: {exception.Message}"),
        };
        Assert.Equal(expectedCode, code);
        return exception.Message;
    }
}
