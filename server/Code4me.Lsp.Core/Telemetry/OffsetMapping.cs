using Code4me.Lsp.Core.Documents;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Moves offsets through an edit (<c>o</c>, <c>l</c>, new text <c>t</c>, delta = |t| − l). Text inserted exactly
/// at a followed point goes after it; text that replaces part of a followed region becomes part of it.
/// </summary>
internal static class OffsetMapping
{
    /// <summary>
    /// A point text is written after (the ground-truth anchor, a region's end): unchanged for edits at or after
    /// it; inside a replaced span it moves to the start of the replacement; after one, by delta.
    /// </summary>
    public static int MapLeftSticky(int position, TextEdit edit)
    {
        if (position <= edit.Offset)
        {
            return position;
        }

        return position < edit.Offset + edit.Length ? edit.Offset : position + Delta(edit);
    }

    /// <summary>A region's start: an insertion exactly at it goes before it; a replacement that starts at or covers it becomes part of it.</summary>
    public static int MapRegionStart(int position, TextEdit edit)
    {
        if (position < edit.Offset)
        {
            return position;
        }

        return position < edit.Offset + edit.Length ? edit.Offset : position + Delta(edit);
    }

    /// <summary>A region's end: an insertion exactly at it goes after it; a replacement that covers it ends inside it.</summary>
    public static int MapRegionEnd(int position, TextEdit edit)
    {
        if (position <= edit.Offset)
        {
            return position;
        }

        return position <= edit.Offset + edit.Length ? edit.Offset + edit.NewText.Length : position + Delta(edit);
    }

    private static int Delta(TextEdit edit) => edit.NewText.Length - edit.Length;
}
