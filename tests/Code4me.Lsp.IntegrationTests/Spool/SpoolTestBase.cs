using Code4me.Lsp.IntegrationTests.Support;

namespace Code4me.Lsp.IntegrationTests.Spool;

/// <summary>A fresh spool directory and the logs, per test.</summary>
public abstract class SpoolTestBase(ITestOutputHelper output) : IDisposable
{
    internal TempDirectory Dir { get; } = new();

    internal XunitLoggerProvider Logs { get; } = new(output);

    public void Dispose()
    {
        Logs.Dispose();
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
