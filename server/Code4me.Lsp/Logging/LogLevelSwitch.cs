using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Logging;

/// <summary>The live minimum levels, changed when the settings change (no restart).</summary>
internal sealed class LogLevelSwitch
{
    public volatile LogLevel Level = LogLevel.Information;

    public volatile LogLevel ClientLevel = LogLevel.Warning;
}
