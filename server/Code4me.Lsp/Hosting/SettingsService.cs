using System.Text.Json;
using Code4me.Lsp.Core;
using Code4me.Lsp.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Hosting;

/// <summary>
/// Applies the settings the client sends (initializationOptions, didChangeConfiguration) all or
/// nothing: if any options type fails validation, the previous settings stay and the error names the
/// setting. A change of consent that was applied is recorded (<see cref="ConsentAudit"/>).
/// </summary>
internal sealed partial class SettingsService(
    LspConfigurationProvider provider,
    IEnumerable<IOptionsCheck> checks,
    ConsentAudit consentAudit,
    ILogger<SettingsService> logger)
{
    private readonly Lock _gate = new();

    /// <summary>Applies <paramref name="settings"/> whole or not at all; one application at a time (pulled answers arrive off the dispatch thread).</summary>
    public void Apply(JsonElement settings, string origin)
    {
        lock (_gate)
        {
            ApplyLocked(settings, origin);
        }
    }

    private void ApplyLocked(JsonElement settings, string origin)
    {
        var previous = provider.Snapshot();
        List<string> failures;
        try
        {
            provider.Apply(settings);
            failures = [.. checks.SelectMany(check => check.Check())];
        }
        catch (AggregateException e)
        {
            // Options change listeners run inside the reload and rethrow binding/validation failures.
            failures = [.. e.Flatten().InnerExceptions.SelectMany(Describe).Distinct()];
        }

        if (failures.Count > 0)
        {
            provider.Restore(previous);
            throw new InvalidInputException($"The settings from {origin} were not applied: {string.Join(" ", failures)}");
        }

        LogApplied(origin);
        foreach (var warning in KnownSettings.Unknown(provider.Snapshot().Keys))
        {
            LogUnknown(origin, warning);
        }

        consentAudit.SettingsApplied(origin);
    }

    private static IEnumerable<string> Describe(Exception e) =>
        e is OptionsValidationException validation ? validation.Failures : [SettingErrors.Describe(e) ?? e.Message];

    /// <summary>Validates the configuration as it stands (appsettings.json, environment, command line).</summary>
    public IReadOnlyList<string> Validate() => [.. checks.SelectMany(check => check.Check())];

    [LoggerMessage(Level = LogLevel.Information, Message = "Settings from {Origin} applied")]
    private partial void LogApplied(string origin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settings from {Origin}: {Warning}")]
    private partial void LogUnknown(string origin, string warning);
}
