using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>Validates <see cref="TelemetryOptions"/> with messages that name the setting.</summary>
public sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string S = TelemetryOptions.Section;
        if (options.EffectiveGroundTruthDelays.Any(d => d is < 1 or > 3600))
        {
            failures.Add($"{S}:GroundTruthDelaysSeconds must each be between 1 and 3600 s; they are {string.Join(", ", options.EffectiveGroundTruthDelays)}.");
        }

        if (options.EffectiveRetentionDelays.Any(d => d is < 1 or > 86_400))
        {
            failures.Add($"{S}:RetentionDelaysSeconds must each be between 1 and 86400 s; they are {string.Join(", ", options.EffectiveRetentionDelays)}.");
        }

        if (options.GroundTruthContextChars is < 0 or > 10_000)
        {
            failures.Add($"{S}:GroundTruthContextChars must be between 0 and 10000; it is {options.GroundTruthContextChars}.");
        }

        if (options.MultiFileMaxFiles is < 0 or > 64)
        {
            failures.Add($"{S}:MultiFileMaxFiles must be between 0 and 64; it is {options.MultiFileMaxFiles}.");
        }

        if (options.MultiFileMaxCharsPerFile is < 0 or > 1_000_000)
        {
            failures.Add($"{S}:MultiFileMaxCharsPerFile must be between 0 and 1000000; it is {options.MultiFileMaxCharsPerFile}.");
        }

        if (options.IdleTriggerMs is < 100 or > 600_000)
        {
            failures.Add($"{S}:IdleTriggerMs must be between 100 and 600000 ms; it is {options.IdleTriggerMs}.");
        }

        if (options.QueryLifetimeSeconds <= options.EffectiveGroundTruthDelays.Max())
        {
            failures.Add($"{S}:QueryLifetimeSeconds ({options.QueryLifetimeSeconds}) must exceed the largest ground-truth delay ({options.EffectiveGroundTruthDelays.Max()} s).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
