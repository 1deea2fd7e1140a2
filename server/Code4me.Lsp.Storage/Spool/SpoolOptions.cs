namespace Code4me.Lsp.Storage.Spool;

/// <summary>The telemetry write path: queue, batcher, durable spool, writer retries (section <c>Code4me:Telemetry:Spool</c>).</summary>
public sealed class SpoolOptions
{
    public const string Section = "Code4me:Telemetry:Spool";

    /// <summary>Spool directory; default <c>$XDG_DATA_HOME/code4me/spool</c> (<c>~/.local/share/code4me/spool</c>; <c>%LOCALAPPDATA%\code4me\spool</c> on Windows).</summary>
    public string? Directory { get; set; }

    /// <summary>A segment file is closed and a new one started once it reaches this size.</summary>
    public long SegmentBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Total size of all segment files. At the bound new events are refused and counted as dropped.</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>A warning is raised when the spool passes this percentage of <see cref="MaxBytes"/>.</summary>
    public int WarnAtPercent { get; set; } = 80;

    /// <summary>Events waiting in memory for the spool; when full, <c>Enqueue</c> drops and counts.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Most events per spool append (one fsync each).</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// How long the batcher waits for more events after the first of a batch: the most an event that nobody waits for
    /// (a query's record, a shown or rejected report) can be lost by a crash, plus one fsync. An accept is answered only
    /// once it is spooled.
    /// </summary>
    public int BatchWindowMs { get; set; } = 50;

    /// <summary>Most records per call of the database writer.</summary>
    public int WriteBatchSize { get; set; } = 2_000;

    /// <summary>First retry delay of a failed write (exponential with jitter, unbounded attempts).</summary>
    public int RetryBaseDelayMs { get; set; } = 500;

    /// <summary>Longest delay between write attempts.</summary>
    public int RetryMaxDelayMs { get; set; } = 30_000;

    /// <summary>How long the circuit stays open after the writer keeps failing.</summary>
    public int BreakDurationMs { get; set; } = 15_000;

    /// <summary>At shutdown, how long to keep trying to upload spooled records (they stay spooled either way).</summary>
    public int ShutdownUploadMs { get; set; } = 3_000;

    /// <summary>The file of the anonymous installation id (<see cref="Core.Telemetry.InstallationIdentity"/>), in the spool directory.</summary>
    internal string InstallationIdPath => Path.Combine(EffectiveDirectory, "installation-id");

    internal string EffectiveDirectory => string.IsNullOrWhiteSpace(Directory)
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "code4me", "spool")
        : Directory;
}
