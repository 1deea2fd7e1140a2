using System.Text;

namespace Code4me.Lsp.Core.Documents;

/// <summary>
/// An immutable snapshot of an open document. Taking one is free (the rope is persistent), so a request
/// takes its snapshot before its first await and works on it without locks.
/// </summary>
public sealed class TextDocument(string uri, string languageId, int version, Rope text)
{
    public string Uri { get; } = uri;

    public string LanguageId { get; } = languageId;

    public int Version { get; } = version;

    public Rope Text { get; } = text;

    /// <summary>Returns the document after the edit, with a new version.</summary>
    public TextDocument With(Rope text, int version) => new(Uri, LanguageId, version, text);

    /// <summary>
    /// Converts an LSP position (0-based line, character in <paramref name="encoding"/> units) into a
    /// UTF-16 offset. As the spec says, a character past the end of its line means the end of the line, and a line past
    /// the end of the document means the end of the document; a negative position is an error.
    /// </summary>
    public int GetOffset(int line, int character, PositionEncoding encoding)
    {
        if (line < 0 || character < 0)
        {
            throw new InvalidInputException($"Position {line}:{character} in {Uri} is negative; lines and characters are 0-based and non-negative.");
        }

        if (line > Text.LineBreaks)
        {
            return Text.Length;
        }

        var start = Text.GetLineStart(line);
        var end = Text.GetLineEnd(line);
        if (encoding == PositionEncoding.Utf16)
        {
            return start + Math.Min(character, end - start);
        }

        var lineText = Text.GetText(start, end - start);
        var units = 0;
        var index = 0;
        while (units < character && index < lineText.Length)
        {
            var scalarLength = char.IsHighSurrogate(lineText[index]) && index + 1 < lineText.Length && char.IsLowSurrogate(lineText[index + 1]) ? 2 : 1;
            units += encoding == PositionEncoding.Utf32 ? 1 : Utf8Length(lineText.AsSpan(index, scalarLength));
            index += scalarLength;
        }

        // A character offset inside a multi-byte sequence rounds up to the end of that character; one past the end of the
        // line stops at the line's end.
        return start + index;
    }

    /// <summary>Converts a UTF-16 offset into an LSP position in <paramref name="encoding"/> units.</summary>
    public (int Line, int Character) GetPosition(int offset, PositionEncoding encoding)
    {
        var line = Text.GetLineOfOffset(offset);
        var start = Text.GetLineStart(line);
        if (encoding == PositionEncoding.Utf16)
        {
            return (line, offset - start);
        }

        var prefix = Text.GetText(start, offset - start);
        return encoding == PositionEncoding.Utf8
            ? (line, Utf8Length(prefix))
            : (line, CountScalars(prefix));
    }

    private static int Utf8Length(ReadOnlySpan<char> text) => Encoding.UTF8.GetByteCount(text);

    private static int CountScalars(string text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!(char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])))
            {
                count++;
            }
        }

        return count;
    }
}
