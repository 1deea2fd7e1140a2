using Code4me.Lsp.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Hosting;

/// <summary>Keeps <see cref="LogLevelSwitch"/> in step with the logging settings as they change.</summary>
internal sealed class LogLevelUpdater(IOptionsMonitor<LoggingOptions> options, LogLevelSwitch levels) : IHostedService, IDisposable
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = options.OnChange(Apply);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _subscription?.Dispose();

    private void Apply(LoggingOptions value)
    {
        levels.Level = value.Level;
        levels.ClientLevel = value.ClientLevel;
    }
}
