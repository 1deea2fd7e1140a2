using System.Globalization;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Privacy;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Derives the multi-file context telemetry of completion queries: what the other files whose text went into the
/// prompt looked like when the query was made, so that a researcher can rebuild each of them exactly.
/// </summary>
/// <remarks>
/// <para>Definitions (per project = workspace folder; paths relative to it, with <c>/</c>):</para>
/// <list type="bullet">
/// <item><c>project.multi_file_contexts</c> = <c>{path: text}</c>, the file's text the first time any session used it
/// as context in the project. Later candidates for the same path are ignored by the database (first write wins).</item>
/// <item><c>project.multi_file_context_changes</c> = <c>{key: {path, offset, deleted, text, at}}</c>, appended; key
/// <c>"&lt;session id&gt;:&lt;n&gt;"</c> (n counts from 1 per session), unique across sessions, restarts and editors.
/// A session's first use of a file is a reset (offset 0, deleted null = to the end, text = the whole file), so it never
/// needs to know what another session stored; the database stores text null when it equals the baseline. Each later
/// query that finds the file changed adds one change: the single replacement between the previous recorded text and
/// the current one (common prefix and suffix), at = the query's time. After <see cref="ChainLimit"/> changes the next
/// one is a reset again, so no index list grows without bound.</item>
/// <item><c>meta_query.multi_file_context_changes_indexes</c> = <c>{path: [key, …]}</c>: start from the baseline of the
/// path, apply the listed changes in order, and the result is the file as the prompt saw it; <c>{path: null}</c>: the
/// file was used but is longer than <see cref="TelemetryOptions.MultiFileMaxCharsPerFile"/> and is not recorded.</item>
/// </list>
/// <para>Texts are redacted (<see cref="SecretRedactor"/>) before they are compared, so offsets refer to the recorded
/// text. At most <see cref="TelemetryOptions.MultiFileMaxFiles"/> files per query. Nothing is derived while consent
/// excludes code text, and a consent change starts every file afresh (a reset), so no index ever points at a change
/// that consent kept out of the record.</para>
/// </remarks>
public sealed class MultiFileContextTracker(IOptionsMonitor<TelemetryOptions> options, ConsentPolicy? consent = null)
{
    /// <summary>Changes after a reset before the next change is a reset again.</summary>
    public const int ChainLimit = 32;

    /// <summary>Files remembered per server lifetime (least recently used forgotten first; a forgotten file restarts with a reset).</summary>
    public const int TrackedFileLimit = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Project, string Path), FileState> _files = [];
    private long _nextChange;
    private long _uses;
    private bool? _lastConsent;

    /// <summary>
    /// The multi-file context of one query: <paramref name="files"/> (full paths and the snapshots the prompt was cut
    /// from, most relevant first) as seen at <paramref name="at"/>. Null when there is nothing to record (no files, or
    /// consent excludes code text).
    /// </summary>
    public MultiFileContext? Observe(Guid sessionId, string? projectFolder, IReadOnlyList<(string Path, Rope Text)> files, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(files);
        var settings = options.CurrentValue;
        lock (_gate)
        {
            var allowed = consent?.Current.Context ?? true;
            if (_lastConsent is { } last && last != allowed)
            {
                _files.Clear();
            }

            _lastConsent = allowed;
            if (!allowed || files.Count == 0)
            {
                return null;
            }

            var baselines = new Dictionary<string, string>(StringComparer.Ordinal);
            var changes = new Dictionary<string, MultiFileContextChange>(StringComparer.Ordinal);
            var indexes = new Dictionary<string, IReadOnlyList<string>?>(StringComparer.Ordinal);
            foreach (var (fullPath, text) in files.Take(settings.MultiFileMaxFiles))
            {
                var path = RelativePath(projectFolder, fullPath);
                if (indexes.ContainsKey(path))
                {
                    continue;
                }

                if (text.Length > settings.MultiFileMaxCharsPerFile)
                {
                    indexes[path] = null;
                    continue;
                }

                var key = (projectFolder ?? "", path);
                if (!_files.TryGetValue(key, out var state))
                {
                    var content = SecretRedactor.Redact(text.ToString())!;
                    baselines[path] = content;
                    state = new FileState(content, text);
                    Add(state, changes, NewKey(sessionId), new MultiFileContextChange(path, 0, null, content, at), reset: true);
                    _files[key] = state;
                }
                else if (!ReferenceEquals(state.Source, text))
                {
                    var content = SecretRedactor.Redact(text.ToString())!;
                    if (content != state.Content)
                    {
                        var change = state.Chain.Count >= ChainLimit
                            ? new MultiFileContextChange(path, 0, null, content, at)
                            : Diff(path, state.Content, content, at);
                        Add(state, changes, NewKey(sessionId), change, reset: change.Deleted is null);
                        state.Content = content;
                    }

                    state.Source = text;
                }

                state.LastUse = ++_uses;
                indexes[path] = [.. state.Chain];
            }

            Forget();
            return indexes.Count == 0 ? null : new MultiFileContext(baselines, changes, indexes);
        }
    }

    /// <summary>
    /// The one replacement that turns <paramref name="before"/> into <paramref name="after"/>: everything between their
    /// common prefix and common suffix, never splitting a surrogate pair.
    /// </summary>
    public static MultiFileContextChange Diff(string path, string before, string after, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var shorter = Math.Min(before.Length, after.Length);
        var prefix = 0;
        while (prefix < shorter && before[prefix] == after[prefix])
        {
            prefix++;
        }

        if (prefix > 0 && char.IsHighSurrogate(before[prefix - 1]))
        {
            prefix--;
        }

        var suffix = 0;
        while (suffix < shorter - prefix && before[before.Length - 1 - suffix] == after[after.Length - 1 - suffix])
        {
            suffix++;
        }

        if (suffix > 0 && char.IsLowSurrogate(before[before.Length - suffix]))
        {
            suffix--;
        }

        return new MultiFileContextChange(path, prefix, before.Length - prefix - suffix, after[prefix..(after.Length - suffix)], at);
    }

    /// <summary>Applies changes in order to a baseline, as a researcher would (in the database, a null text stands for the baseline).</summary>
    public static string Apply(string baseline, IEnumerable<MultiFileContextChange> changes)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(changes);
        var text = baseline;
        foreach (var change in changes)
        {
            var deleted = change.Deleted ?? text.Length - change.Offset;
            text = string.Concat(text.AsSpan(0, change.Offset), change.Text, text.AsSpan(change.Offset + deleted));
        }

        return text;
    }

    /// <summary>The path as recorded: relative to the project folder with <c>/</c>, or the full path when there is no folder.</summary>
    public static string RelativePath(string? projectFolder, string fullPath)
    {
        ArgumentNullException.ThrowIfNull(fullPath);
        var path = projectFolder is null ? fullPath : Path.GetRelativePath(projectFolder, fullPath);
        return path.Replace('\\', '/');
    }

    private static void Add(FileState state, Dictionary<string, MultiFileContextChange> changes, string key, MultiFileContextChange change, bool reset)
    {
        if (reset)
        {
            state.Chain.Clear();
        }

        state.Chain.Add(key);
        changes[key] = change;
    }

    private string NewKey(Guid sessionId) => string.Create(CultureInfo.InvariantCulture, $"{sessionId}:{++_nextChange}");

    private void Forget()
    {
        while (_files.Count > TrackedFileLimit)
        {
            _files.Remove(_files.MinBy(f => f.Value.LastUse).Key);
        }
    }

    private sealed class FileState(string content, Rope source)
    {
        public string Content { get; set; } = content;

        public Rope Source { get; set; } = source;

        public List<string> Chain { get; } = [];

        public long LastUse { get; set; }
    }
}
