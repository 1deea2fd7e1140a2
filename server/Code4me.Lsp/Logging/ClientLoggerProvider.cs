using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Logging;

/// <summary>Sends log entries at or above the client level to the editor as <c>window/logMessage</c>.</summary>
[ProviderAlias("Client")]
internal sealed class ClientLoggerProvider(ClientChannel channel, LogLevelSwitch levels) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ClientLogger(channel, levels, categoryName);

    public void Dispose()
    {
    }

    private sealed class ClientLogger(ClientChannel channel, LogLevelSwitch levels, string category) : ILogger
    {
        private static readonly AsyncLocal<bool> s_sending = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= levels.ClientLevel && channel.IsConnected;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // A failure while sending must not log itself back to the client.
            if (!IsEnabled(logLevel) || s_sending.Value)
            {
                return;
            }

            s_sending.Value = true;
            try
            {
                var text = formatter(state, exception);
                var message = exception is null ? $"[{ShortCategory(category)}] {text}" : $"[{ShortCategory(category)}] {text}: {exception.GetType().Name}: {exception.Message}";
                _ = channel.NotifyAsync(LspMethods.WindowLogMessage, new LogMessageParams { Type = ToMessageType(logLevel), Message = message }, LspJson.TypeInfo<LogMessageParams>());
            }
            finally
            {
                s_sending.Value = false;
            }
        }

        private static string ShortCategory(string category) => category[(category.LastIndexOf('.') + 1)..];

        private static int ToMessageType(LogLevel level) => level switch
        {
            LogLevel.Critical or LogLevel.Error => MessageType.Error,
            LogLevel.Warning => MessageType.Warning,
            LogLevel.Information => MessageType.Info,
            LogLevel.Debug => MessageType.Log,
            _ => MessageType.Debug,
        };
    }
}
