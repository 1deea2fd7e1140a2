using System.Security.Cryptography;
using System.Text;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Code4me.Lsp.Storage.Spool;

/// <summary>
/// The experiment key (<see cref="IExperimentKey"/>): the SHA-256 of the configured auth token (the same person on every
/// machine), else the anonymous installation id (<see cref="InstallationIdentity"/>: the same installation across
/// restarts; read, or created only while consent (when there is a consent policy) lets telemetry be recorded, unless <c>createInstallationId</c> is
/// false: the <c>complete</c> command), else a random key for this process. Settled once; in a server (a hosted service) in
/// the background as soon as the editor's settings, and so the consent, are known, so the first completion request does
/// not read or write the installation id file; a request that races it waits for the same computation.
/// </summary>
public sealed class ExperimentKey(IConfiguration configuration, InstallationIdentity installation, ConsentPolicy? consent, bool createInstallationId = true)
    : IExperimentKey, IHostedService
{
    private readonly Lazy<string> _key = new(() => Compute(configuration, installation, consent, createInstallationId), LazyThreadSafetyMode.ExecutionAndPublication);

    public string Key => _key.Value;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = consent?.WhenReadyAsync(CancellationToken.None).ContinueWith(
            _ => _key.Value, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static string Compute(IConfiguration configuration, InstallationIdentity installation, ConsentPolicy? consent, bool createInstallationId)
    {
        if (configuration[SpoolServiceCollectionExtensions.AuthTokenKey] is { Length: > 0 } token)
        {
            return "user:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim().ToLowerInvariant())));
        }

        var id = createInstallationId && consent?.Current.Enabled == true ? installation.GetOrCreate() : InstallationIdentity.Read(installation.Path);
        return id is { } installationId ? "installation:" + installationId.ToString("D") : "process:" + Guid.NewGuid().ToString("D");
    }
}
