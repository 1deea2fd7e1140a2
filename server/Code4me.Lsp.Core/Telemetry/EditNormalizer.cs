using Code4me.Lsp.Core.Documents;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Shrinks each edit to what really changed: the common prefix and suffix of the replaced text and the new
/// text are dropped. A full-document replacement (full sync, or a formatter) thus becomes the small edit the
/// user made, so typing speed and followed regions work the same for every sync kind.
/// </summary>
internal static class EditNormalizer
{
    /// <summary>Normalises the edits of one change; each edit is in offsets of the text left by the previous one.</summary>
    public static IReadOnlyList<TextEdit> Normalize(Rope before, IReadOnlyList<TextEdit> edits)
    {
        var result = new List<TextEdit>(edits.Count);
        var current = before;
        foreach (var edit in edits)
        {
            if (edit.Length > 0 && edit.NewText.Length > 0)
            {
                var trimmed = Trim(current, edit);
                if (trimmed.Length > 0 || trimmed.NewText.Length > 0)
                {
                    result.Add(trimmed);
                }
            }
            else if (edit.Length > 0 || edit.NewText.Length > 0)
            {
                result.Add(edit);
            }

            current = current.Replace(edit.Offset, edit.Length, edit.NewText);
        }

        return result;
    }

    private static TextEdit Trim(Rope text, TextEdit edit)
    {
        var old = text.GetText(edit.Offset, edit.Length);
        var added = edit.NewText;
        var prefix = old.AsSpan().CommonPrefixLength(added);
        var max = Math.Min(old.Length, added.Length) - prefix;
        var suffix = 0;
        while (suffix < max && old[old.Length - 1 - suffix] == added[added.Length - 1 - suffix])
        {
            suffix++;
        }

        return new TextEdit(edit.Offset + prefix, old.Length - prefix - suffix, added.Substring(prefix, added.Length - prefix - suffix));
    }
}
