using Code4me.Lsp.Core.Documents;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Follows every query's caret and every accepted region through the edits that come after it (so ground truth and
/// retention read the right place), feeds <see cref="TypingSpeedMeter"/>, and knows when each document last changed
/// (an automatic request after a pause is recorded as <see cref="CompletionTrigger.Idle"/>).
/// </summary>
public sealed class EditFollower(QueryBook book, TypingSpeedMeter typing, TimeProvider time) : IDocumentObserver
{
    private const int LocateWindow = 256;

    private readonly Dictionary<string, DateTimeOffset> _lastChange = new(StringComparer.Ordinal);

    public void Opened(TextDocument document)
    {
    }

    public void Changed(TextDocument before, TextDocument after, IReadOnlyList<TextEdit> edits)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var normalized = EditNormalizer.Normalize(before.Text, edits);
        typing.Observe(after.Uri, normalized);
        lock (book.Gate)
        {
            _lastChange[after.Uri] = time.GetUtcNow();
            foreach (var query in book.InDocument(after.Uri))
            {
                if (query.Closed)
                {
                    continue;
                }

                foreach (var edit in normalized)
                {
                    query.Anchor = OffsetMapping.MapLeftSticky(query.Anchor, edit);
                    if (query.Region is var (start, end))
                    {
                        var newStart = OffsetMapping.MapRegionStart(start, edit);
                        query.Region = (newStart, Math.Max(newStart, OffsetMapping.MapRegionEnd(end, edit)));
                    }
                }

                query.Text = after.Text;
                if (query.AcceptedModel is not null && query.Region is null)
                {
                    query.Region = Locate(query, query.AcceptedText);
                }
            }
        }
    }

    /// <summary>Queries in a closed document keep its last text: their later captures read it.</summary>
    public void Closed(TextDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        lock (book.Gate)
        {
            _lastChange.Remove(document.Uri);
            foreach (var query in book.InDocument(document.Uri))
            {
                query.Closed = true;
            }
        }
    }

    /// <summary>True when <paramref name="uri"/> has not changed for <paramref name="idleMs"/> (or since it was opened).</summary>
    internal bool IsIdle(string uri, DateTimeOffset now, int idleMs)
    {
        lock (book.Gate)
        {
            return !_lastChange.TryGetValue(uri, out var last) || (now - last).TotalMilliseconds >= idleMs;
        }
    }

    /// <summary>
    /// Finds the accepted text: at the followed query offset, else (the item replaced text before the caret)
    /// the occurrence nearest to it within 256 units either side; null if it is not (yet) in the document.
    /// </summary>
    internal static (int Start, int End)? Locate(TrackedQuery query, string accepted)
    {
        var text = query.Text;
        var anchor = Math.Clamp(query.Anchor, 0, text.Length);
        if (query.Region is var (start, _) && start + accepted.Length <= text.Length && text.GetText(start, accepted.Length) == accepted)
        {
            return (start, start + accepted.Length);
        }

        if (anchor + accepted.Length <= text.Length && text.GetText(anchor, accepted.Length) == accepted)
        {
            return (anchor, anchor + accepted.Length);
        }

        var from = Math.Max(0, anchor - accepted.Length - LocateWindow);
        var to = Math.Min(text.Length, anchor + accepted.Length + LocateWindow);
        var window = text.GetText(from, to - from);
        (int Start, int End)? best = null;
        for (var i = window.IndexOf(accepted, StringComparison.Ordinal); i >= 0; i = window.IndexOf(accepted, i + 1, StringComparison.Ordinal))
        {
            if (best is null || Math.Abs(from + i - anchor) < Math.Abs(best.Value.Start - anchor))
            {
                best = (from + i, from + i + accepted.Length);
            }
        }

        return best;
    }
}
