using Code4me.Lsp.Core.Privacy;
using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.IntegrationTests.Spool;

/// <summary>The consent policy with a fixed level and the default secret-file patterns.</summary>
internal sealed class FixedConsent(ConsentLevel level) : ITelemetryEventFilter
{
    private static readonly SecretFileMatcher s_files = SecretFileMatcher.For(SecretOptions.DefaultFilePatterns);

    public TelemetryEvent? Filter(TelemetryEvent telemetryEvent) => ConsentPolicy.Apply(telemetryEvent, level, s_files);
}
