using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Session;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Measures contextual and behavioral telemetry at the moment a completion request arrives: where the caret is in which
/// document of which project, how fast the user was typing, how long since a suggestion was last shown or accepted.
/// </summary>
public sealed class QueryMeasurement(
    EditorSession editor, TypingSpeedMeter typing, BehaviorClock clock, EditFollower edits, IOptionsMonitor<TelemetryOptions> options, TimeProvider time)
{
    /// <param name="document">The snapshot the request works on.</param>
    /// <param name="offset">The caret as a UTF-16 offset.</param>
    /// <param name="trigger">
    /// Invoked → <see cref="CompletionTrigger.Manual"/>. Automatic → <see cref="CompletionTrigger.Auto"/>, recorded as
    /// <see cref="CompletionTrigger.Idle"/> when the document has not changed for <see cref="TelemetryOptions.IdleTriggerMs"/>
    /// (or since it was opened): the editor asked during a pause, not because of a keystroke.
    /// </param>
    public CompletionQueryStart Measure(TextDocument document, int offset, CompletionTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(document);
        var current = options.CurrentValue;
        var now = time.GetUtcNow();
        if (trigger == CompletionTrigger.Auto && edits.IsIdle(document.Uri, now, current.IdleTriggerMs))
        {
            trigger = CompletionTrigger.Idle;
        }

        var contextual = ContextualTelemetryBuilder.Build(Guid.CreateVersion7(now), document, offset, trigger, ClientIdentity.From(editor, current.PluginVersion));
        var behavioral = new BehavioralTelemetry(Guid.CreateVersion7(now), clock.MillisecondsSinceLastShown, clock.MillisecondsSinceLastAccepted, typing.CharactersPerSecond);
        return new CompletionQueryStart(Guid.CreateVersion7(now), now, document.Uri, offset, ProjectFolderOf(contextual.FilePath), contextual, behavioral);
    }

    /// <summary>The innermost workspace folder holding <paramref name="filePath"/>.</summary>
    private string? ProjectFolderOf(string? filePath)
    {
        if (filePath is null)
        {
            return null;
        }

        string? best = null;
        foreach (var folder in editor.WorkspaceFolders)
        {
            var prefix = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
            if ((filePath.StartsWith(prefix, StringComparison.Ordinal) || filePath == folder) && (best is null || folder.Length > best.Length))
            {
                best = folder;
            }
        }

        return best;
    }
}
