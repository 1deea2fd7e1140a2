namespace Code4me.Lsp.Core.Telemetry;

/// <summary>Derivation settings (section <c>Code4me:Telemetry</c>); the spool has its own sub-section.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Code4me:Telemetry";

    /// <summary>Seconds after a query at which ground truth is captured. Default 15, 45, 90.</summary>
    public int[]? GroundTruthDelaysSeconds { get; set; }

    /// <summary>Seconds after the first acceptance at which retention is measured. Default 15, 30, 120, 300, 600.</summary>
    public int[]? RetentionDelaysSeconds { get; set; }

    /// <summary>UTF-16 units of context captured on either side of the ground truth.</summary>
    public int GroundTruthContextChars { get; set; } = 100;

    /// <summary>
    /// How long a query id is known after its request: shown/accepted/rejected events for older (or unknown) ids
    /// are logged and ignored. Must exceed the largest ground-truth delay.
    /// </summary>
    public int QueryLifetimeSeconds { get; set; } = 600;

    /// <summary>Other files recorded as multi-file context per query, at most (the prompt's most relevant first).</summary>
    public int MultiFileMaxFiles { get; set; } = 8;

    /// <summary>
    /// A file used as context is recorded (baseline and changes) only up to this many UTF-16 units; a longer one is
    /// listed in the query's indexes as null (used, not recorded).
    /// </summary>
    public int MultiFileMaxCharsPerFile { get; set; } = 50_000;

    /// <summary>
    /// An automatic completion request is recorded with trigger type <c>idle</c> instead of <c>auto</c> when its
    /// document has not changed for this many milliseconds (or since it was opened). Default 2000.
    /// </summary>
    public int IdleTriggerMs { get; set; } = 2000;

    /// <summary>Plugin version to record when the client does not give one in initialization options (else clientInfo.version).</summary>
    public string? PluginVersion { get; set; }

    internal static readonly int[] DefaultGroundTruthDelays = [15, 45, 90];

    internal static readonly int[] DefaultRetentionDelays = [15, 30, 120, 300, 600];

    internal IReadOnlyList<int> EffectiveGroundTruthDelays => GroundTruthDelaysSeconds is { Length: > 0 } d ? d : DefaultGroundTruthDelays;

    internal IReadOnlyList<int> EffectiveRetentionDelays => RetentionDelaysSeconds is { Length: > 0 } d ? d : DefaultRetentionDelays;
}
