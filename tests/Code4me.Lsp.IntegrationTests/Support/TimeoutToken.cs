using System.Diagnostics;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>A token for every wait in a test: 20 s, or never under the debugger (StreamJsonRpc's TestBase).</summary>
internal static class TimeoutToken
{
    public static CancellationToken Create() => Create(TimeSpan.FromSeconds(20));

    public static CancellationToken Create(TimeSpan timeout) =>
        Debugger.IsAttached ? CancellationToken.None : new CancellationTokenSource(timeout).Token;
}
