using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>Server logs into the test output, and into a list a test can search.</summary>
internal sealed class XunitLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
        }

        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test is over; its output helper no longer accepts lines.
        }
    }

    private sealed class Logger(XunitLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Write($"{logLevel,-11} {category[(category.LastIndexOf('.') + 1)..]}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception)}");
    }
}
