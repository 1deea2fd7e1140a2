using Code4me.Lsp.Core;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Protocol;

namespace Code4me.Lsp;

/// <summary>The only place where protocol types become Core types and back (positions, encodings, URIs).</summary>
internal static class ProtocolConversions
{
    /// <summary>Picks the client's most preferred encoding among those the server supports; UTF-16 when none is offered.</summary>
    public static (PositionEncoding Encoding, string Name) NegotiateEncoding(string[]? offered)
    {
        foreach (var name in offered ?? [])
        {
            switch (name)
            {
                case PositionEncodingKind.Utf16:
                    return (PositionEncoding.Utf16, name);
                case PositionEncodingKind.Utf8:
                    return (PositionEncoding.Utf8, name);
                case PositionEncodingKind.Utf32:
                    return (PositionEncoding.Utf32, name);
            }
        }

        return (PositionEncoding.Utf16, PositionEncodingKind.Utf16);
    }

    public static DocumentChange ToDocumentChange(TextDocumentContentChangeEvent change) =>
        new(change.Range is { } r ? new LineRange(r.Start.Line, r.Start.Character, r.End.Line, r.End.Character) : null, change.Text);

    public static int ToOffset(TextDocument document, Position position, PositionEncoding encoding) =>
        document.GetOffset(position.Line, position.Character, encoding);

    public static Position ToPosition(TextDocument document, int offset, PositionEncoding encoding)
    {
        var (line, character) = document.GetPosition(offset, encoding);
        return new Position { Line = line, Character = character };
    }

    /// <summary>A <c>file://</c> URI as a local path; other schemes are kept as they are.</summary>
    public static string ToPath(string uri)
    {
        if (Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile)
        {
            return parsed.LocalPath;
        }

        if (uri.Length == 0)
        {
            throw new InvalidInputException("A document or folder URI is empty.");
        }

        return uri;
    }
}
