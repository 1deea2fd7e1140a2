using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Logging;

/// <summary>
/// Appends log lines to a file (Code4me:Logging:File) from a background writer, so logging never waits
/// for the disk on the request path. Lines are dropped (and counted) if the writer falls far behind.
/// </summary>
[ProviderAlias("File")]
internal sealed class FileLoggerProvider : ILoggerProvider
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Task _writer;

    public FileLoggerProvider(string path)
    {
        Path = path;
        _writer = Task.Run(WriteAsync);
    }

    public string Path { get; }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose()
    {
        _lines.Writer.TryComplete();
        _writer.Wait(TimeSpan.FromSeconds(2));
    }

    private async Task WriteAsync()
    {
        await using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        await using var writer = new StreamWriter(stream);
        while (await _lines.Reader.WaitToReadAsync())
        {
            while (_lines.Reader.TryRead(out var line))
            {
                await writer.WriteLineAsync(line);
            }

            await writer.FlushAsync();
        }
    }

    private sealed class FileLogger(FileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:O} {logLevel,-11} {category}: {formatter(state, exception)}");
            if (exception is not null)
            {
                line += Environment.NewLine + exception;
            }

            provider._lines.Writer.TryWrite(line);
        }
    }
}
