namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// What the user agreed to record (section <c>Code4me:Telemetry:Consent</c>). Everything is off by default:
/// nothing leaves the editor's machine until the user opts in; completions work either way.
/// </summary>
public sealed class ConsentOptions
{
    public const string Section = "Code4me:Telemetry:Consent";

    /// <summary>The master switch (the seeds' anonymous-telemetry opt-in). Off: no event is recorded at all.</summary>
    public bool Enabled { get; set; }

    /// <summary>Code text: prefix, suffix, selected text, ground truth (and its context), chat text.</summary>
    public bool StoreContext { get; set; }

    /// <summary>Contextual telemetry: file path, language, caret line, document length, trigger, plugin version.</summary>
    public bool StoreContextual { get; set; }

    /// <summary>Behavioral telemetry: time since last shown/accepted, typing speed, retention of accepted text.</summary>
    public bool StoreBehavioral { get; set; }
}
