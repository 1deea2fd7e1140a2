using System.Diagnostics;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>Every wait in a test is bounded (infinite under a debugger), so a hang fails instead of stalling CI.</summary>
internal static class TestTimeout
{
    public static TimeSpan Value => Debugger.IsAttached ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(30);

    public static CancellationToken Token() => new CancellationTokenSource(Value).Token;
}
