using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Rpc;

/// <summary>
/// Logs responses the server did not ask for: the first of each kind at Warning, the rest at Debug. Its category
/// (<see cref="Category"/>) is kept out of <c>window/logMessage</c>: a message to the client about its response could
/// draw another response from a client that answers everything.
/// </summary>
internal sealed partial class UnsolicitedResponseLog(ILoggerFactory loggers)
{
    public const string Category = "Code4me.Lsp.Rpc.UnsolicitedResponses";

    private readonly ILogger _logger = loggers.CreateLogger(Category);
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);

    /// <param name="kind">What the response was (never its content).</param>
    public void Ignored(string kind)
    {
        if (_seen.TryAdd(kind, 0))
        {
            LogFirst(kind);
        }
        else
        {
            LogAgain(kind);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a response the server did not ask for ({Kind}); further ones of this kind are logged at Debug")]
    private partial void LogFirst(string kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Another response the server did not ask for was dropped ({Kind})")]
    private partial void LogAgain(string kind);
}
