using System.Security.Cryptography;
using System.Text;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Configuration;

namespace Code4me.Lsp.Handlers.InlineCompletion;

/// <summary>
/// The stable key the A/B selection policy splits users on (<see cref="Core.Completion.CompletionContext.UserId"/>):
/// the SHA-256 of the configured auth token (the same person on every machine), else the anonymous installation
/// id (<see cref="InstallationIdentity"/>: the same installation across restarts; read, or created only while
/// consent lets telemetry be recorded), else a random key for this process. Computed once.
/// </summary>
internal sealed class ExperimentUnit(IConfiguration configuration, InstallationIdentity installation, ConsentPolicy consent)
{
    private readonly Lazy<string> _key = new(() => Compute(configuration, installation, consent));

    public string Key => _key.Value;

    private static string Compute(IConfiguration configuration, InstallationIdentity installation, ConsentPolicy consent)
    {
        if (configuration[SpoolServiceCollectionExtensions.AuthTokenKey] is { Length: > 0 } token)
        {
            return "user:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim().ToLowerInvariant())));
        }

        var id = consent.Current.Enabled ? installation.GetOrCreate() : InstallationIdentity.Read(installation.Path);
        return id is { } installationId ? "installation:" + installationId.ToString("D") : "process:" + Guid.NewGuid().ToString("D");
    }
}
