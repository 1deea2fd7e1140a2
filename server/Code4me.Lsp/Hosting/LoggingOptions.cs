using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Hosting;

/// <summary>Logging settings (section <c>Code4me:Logging</c>). Logs never go to stdout.</summary>
internal sealed class LoggingOptions
{
    public const string Section = "Code4me:Logging";

    /// <summary>Minimum level written to stderr and to <see cref="File"/>.</summary>
    public LogLevel Level { get; set; } = LogLevel.Information;

    /// <summary>Minimum level also sent to the editor as <c>window/logMessage</c>.</summary>
    public LogLevel ClientLevel { get; set; } = LogLevel.Warning;

    /// <summary>An optional log file (appended to).</summary>
    public string? File { get; set; }
}
