using Code4me.Lsp.Core.Privacy;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Applies the current consent (<see cref="ConsentOptions"/>, followed at once through <see cref="IOptionsMonitor{T}"/>)
/// and the secret rules to an event. The same function runs in front of the spool (<see cref="ConsentFilter"/>) and
/// before the writer inserts (<see cref="ITelemetryEventFilter"/>), so replayed records obey the consent of now.
/// In a language server the consent of now is known only once the editor's settings are in
/// (<see cref="SettingsKnown"/>, at <c>initialized</c>); until then <see cref="WhenReadyAsync"/> holds the writer, so a
/// spool left by an earlier run is never judged by the default (off). While consent is off the spool waits
/// (<see cref="AllowsRecording"/>); only a withdrawal discards it.
/// </summary>
public sealed class ConsentPolicy : ITelemetryEventFilter, IDisposable
{
    private readonly IOptionsMonitor<ConsentOptions> _options;
    private readonly SecretFileMatcher _secretFiles;
    private readonly TaskCompletionSource _settingsKnown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IDisposable? _onChange;
    private readonly ChangeSignal _changed = new();
    private ConsentLevel _lastGood = ConsentLevel.None;

    public ConsentPolicy(IOptionsMonitor<ConsentOptions> options, SecretFileMatcher secretFiles)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _secretFiles = secretFiles;
        _onChange = options.OnChange((_, _) => _changed.Fire());
    }

    /// <summary>The editor's settings have been applied: the consent in force is the user's from now on.</summary>
    public void SettingsKnown()
    {
        _settingsKnown.TrySetResult();
        _changed.Fire();
    }

    /// <inheritdoc/>
    public Task WhenReadyAsync(CancellationToken cancellationToken) => _settingsKnown.Task.WaitAsync(cancellationToken);

    /// <inheritdoc/>
    public bool AllowsRecording => Current.Enabled;

    /// <inheritdoc/>
    public Task WhenChangedAsync(CancellationToken cancellationToken) => _changed.Next.WaitAsync(cancellationToken);

    public void Dispose() => _onChange?.Dispose();

    /// <summary>The consent in force. While a settings change is being validated and refused, the last valid one.</summary>
    public ConsentLevel Current
    {
        get
        {
            try
            {
                return _lastGood = ConsentLevel.From(_options.CurrentValue);
            }
            catch (OptionsValidationException)
            {
                return _lastGood;
            }
            catch (InvalidOperationException)
            {
                return _lastGood;
            }
        }
    }

    public TelemetryEvent? Filter(TelemetryEvent telemetryEvent) => Apply(telemetryEvent, Current, _secretFiles);

    /// <summary>
    /// The event as <paramref name="consent"/> allows it: null when it may not be recorded at all; otherwise a copy
    /// without the excluded modules and with secrets redacted from every code text.
    /// </summary>
    public static TelemetryEvent? Apply(TelemetryEvent telemetryEvent, ConsentLevel consent, SecretFileMatcher secretFiles)
    {
        ArgumentNullException.ThrowIfNull(telemetryEvent);
        ArgumentNullException.ThrowIfNull(consent);
        ArgumentNullException.ThrowIfNull(secretFiles);
        if (telemetryEvent is ConsentChangedEvent)
        {
            return telemetryEvent;
        }

        if (!consent.Enabled)
        {
            return null;
        }

        return telemetryEvent switch
        {
            CompletionQueryEvent q when secretFiles.IsSecret(q.Contextual?.FilePath) || secretFiles.IsSecret(q.Context?.FileName) => null,
            CompletionQueryEvent q => q with
            {
                Context = consent.Context && q.Context is { } c
                    ? c with { Prefix = SecretRedactor.Redact(c.Prefix), Suffix = SecretRedactor.Redact(c.Suffix), SelectedText = SecretRedactor.Redact(c.SelectedText) }
                    : null,
                Contextual = consent.Contextual ? q.Contextual : null,
                Behavioral = consent.Behavioral ? q.Behavioral : null,
                Generations = [.. q.Generations.Select(g => g with { Completion = SecretRedactor.Redact(g.Completion)! })],
                MultiFile = consent.Context ? q.MultiFile?.Redacted(secretFiles) : null,
            },
            GroundTruthEvent when !consent.Context => null,
            GroundTruthEvent g => g with
            {
                Truth = SecretRedactor.Redact(g.Truth),
                ContextBefore = SecretRedactor.Redact(g.ContextBefore),
                ContextAfter = SecretRedactor.Redact(g.ContextAfter),
            },
            RetentionEvent when !consent.Behavioral => null,
            _ => telemetryEvent,
        };
    }
}
