using Code4me.Lsp.Core.Documents;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// The ground-truth rule. The query offset is followed through every later edit as a point that text typed at it
/// goes after (<see cref="OffsetMapping.MapLeftSticky"/>). At each capture the truth is the text from that point to
/// the end of line <c>L + k</c>, where <c>L</c> is the point's current line and <c>k</c> the largest number of line
/// breaks in any generation of the query (so a one-line suggestion is compared with the rest of its line, a
/// three-line one with three lines), cut at the document's end. Context is up to N UTF-16 units on either side.
/// </summary>
public static class GroundTruthCapture
{
    public static (string Truth, string ContextBefore, string ContextAfter) Capture(Rope text, int anchor, int suggestionLineBreaks, int contextChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        anchor = Math.Clamp(anchor, 0, text.Length);
        var line = text.GetLineOfOffset(anchor);
        var lastLine = Math.Min(text.LineBreaks, line + Math.Max(0, suggestionLineBreaks));
        var end = Math.Max(anchor, text.GetLineEnd(lastLine));
        var beforeStart = Math.Max(0, anchor - contextChars);
        var afterEnd = Math.Min(text.Length, end + contextChars);
        return (
            text.GetText(anchor, end - anchor),
            text.GetText(beforeStart, anchor - beforeStart),
            text.GetText(end, afterEnd - end));
    }

    /// <summary>Line breaks in <paramref name="text"/> as the rope counts them (\n, \r\n, lone \r).</summary>
    public static int CountLineBreaks(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
            {
                count++;
            }
        }

        return count;
    }
}
