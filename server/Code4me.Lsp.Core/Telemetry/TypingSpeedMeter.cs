using Code4me.Lsp.Core.Documents;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Code4me V2 typing speed: printable characters the user typed in the last 10 seconds, divided by 10
/// (characters per second). The window is (now − 10 s, now]: a keystroke exactly 10 s old no longer counts.
/// </summary>
/// <remarks>
/// <para>An edit counts as one typed character when its new text (after <see cref="EditNormalizer"/> trims
/// what did not change) is exactly one printable element: one UTF-16 unit that is not a control character
/// (so a space counts, a tab or a line break does not), one surrogate pair, or an auto-closed pair
/// (<c>()</c>, <c>[]</c>, <c>{}</c>, <c>&lt;&gt;</c>, <c>""</c>, <c>''</c>, <c>``</c>: the user typed the opener).
/// Typing over a selection counts (the replaced text is ignored). Everything else is not typing: deletions
/// (empty new text), newlines and auto-indent (any control character), pastes and editor-inserted text
/// (more than one element), and accepted completions (<see cref="ExcludeAcceptedInsert"/>).</para>
/// <para>Each edit counts on its own, so typing with three carets counts three characters. A client that
/// merges several keystrokes into one change (e.g. a debounce) sends them as one multi-character insert,
/// which counts as a paste: such clients under-report, so sync per keystroke.</para>
/// </remarks>
public sealed class TypingSpeedMeter(TimeProvider time)
{
    /// <summary>The Code4me V2 window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan s_pendingExclusionLifetime = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly LinkedList<Keystroke> _keystrokes = new();
    private readonly Dictionary<string, (string Text, DateTimeOffset Until)> _pendingExclusions = new(StringComparer.Ordinal);

    /// <summary>Typed characters in the last 10 s divided by 10.</summary>
    public double CharactersPerSecond
    {
        get
        {
            lock (_gate)
            {
                Prune(time.GetUtcNow());
                return _keystrokes.Count / Window.TotalSeconds;
            }
        }
    }

    /// <summary>Records the (normalised) edits of one change to <paramref name="uri"/>.</summary>
    public void Observe(string uri, IReadOnlyList<TextEdit> edits)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            Prune(now);
            foreach (var edit in edits)
            {
                if (!IsTypedElement(edit.NewText))
                {
                    continue;
                }

                if (_pendingExclusions.TryGetValue(uri, out var pending) && pending.Text == edit.NewText)
                {
                    _pendingExclusions.Remove(uri);
                    if (pending.Until >= now)
                    {
                        continue;
                    }
                }

                _keystrokes.AddLast(new Keystroke(now, uri, edit.NewText));
            }
        }
    }

    /// <summary>
    /// An accepted suggestion inserted <paramref name="text"/> into <paramref name="uri"/>: it was not typed.
    /// If the latest counted keystroke in that document is that text it is taken back (editors insert, then
    /// run the accept command); otherwise the next matching insert within 2 s is not counted.
    /// </summary>
    public void ExcludeAcceptedInsert(string uri, string text)
    {
        if (!IsTypedElement(text))
        {
            return; // longer insertions never count anyway
        }

        var now = time.GetUtcNow();
        lock (_gate)
        {
            Prune(now);
            for (var node = _keystrokes.Last; node is not null; node = node.Previous)
            {
                if (node.Value.Uri == uri)
                {
                    if (node.Value.Text == text)
                    {
                        _keystrokes.Remove(node);
                        return;
                    }

                    break;
                }
            }

            _pendingExclusions[uri] = (text, now + s_pendingExclusionLifetime);
        }
    }

    /// <summary>True when <paramref name="text"/> is one typed printable element (see the remarks).</summary>
    public static bool IsTypedElement(string text) => text.Length switch
    {
        1 => !char.IsControl(text[0]) && !char.IsSurrogate(text[0]),
        2 => char.IsSurrogatePair(text[0], text[1]) || IsAutoClosedPair(text[0], text[1]),
        _ => false,
    };

    private static bool IsAutoClosedPair(char open, char close) => (open, close) is
        ('(', ')') or ('[', ']') or ('{', '}') or ('<', '>') or ('"', '"') or ('\'', '\'') or ('`', '`');

    private void Prune(DateTimeOffset now)
    {
        var oldest = now - Window;
        while (_keystrokes.First is { } first && first.Value.At <= oldest)
        {
            _keystrokes.RemoveFirst();
        }
    }

    private readonly record struct Keystroke(DateTimeOffset At, string Uri, string Text);
}
