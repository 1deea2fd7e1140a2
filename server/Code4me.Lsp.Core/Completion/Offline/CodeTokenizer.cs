namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>
/// A code-aware, forward-only tokenizer: identifiers, numbers, operators (maximal munch),
/// runs of spaces/tabs, and a newline token that carries the next line's indentation
/// (<c>"\n    "</c>), so indentation is predicted like any other token. Every other character
/// (brackets, quotes, punctuation, string content pieces) is a token of its own.
/// </summary>
/// <remarks>
/// The length of a token depends only on the text from its start to at most one character past
/// its end. Retokenizing from any token boundary at least <see cref="MaxLookBehind"/> characters
/// before an edit therefore reproduces the full tokenization, which the incremental update relies on.
/// </remarks>
internal static class CodeTokenizer
{
    /// <summary>How far before an edit a restart point must lie.</summary>
    public const int MaxLookBehind = 3;

    private static readonly string[] s_operators3 = ["===", "!==", ">>=", "<<=", "...", "**=", "//=", "??=", ">>>"];

    private static readonly string[] s_operators2 =
    [
        "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
        "->", "=>", "::", "<<", ">>", "**", "//", "??", "?.", ":=", "/*", "*/", "#[", "</", "/>",
    ];

    /// <summary>Length of the token starting at <paramref name="position"/> (at least 1).</summary>
    public static int TokenLength(ReadOnlySpan<char> text, int position)
    {
        var c = text[position];
        var end = position + 1;
        if (c is '\n' or '\r')
        {
            if (c == '\r' && end < text.Length && text[end] == '\n')
            {
                end++;
            }

            while (end < text.Length && text[end] is ' ' or '\t')
            {
                end++;
            }

            return end - position;
        }

        if (c is ' ' or '\t')
        {
            while (end < text.Length && text[end] is ' ' or '\t')
            {
                end++;
            }

            return end - position;
        }

        if (IsIdentifierStart(c))
        {
            while (end < text.Length && IsIdentifierPart(text[end]))
            {
                end++;
            }

            return end - position;
        }

        if (char.IsAsciiDigit(c))
        {
            while (end < text.Length)
            {
                var d = text[end];
                if (char.IsAsciiLetterOrDigit(d) || d == '_' || (d == '.' && end + 1 < text.Length && char.IsAsciiDigit(text[end + 1])))
                {
                    end++;
                }
                else
                {
                    break;
                }
            }

            return end - position;
        }

        if (char.IsHighSurrogate(c) && end < text.Length && char.IsLowSurrogate(text[end]))
        {
            return 2;
        }

        var rest = text[position..];
        foreach (var op in s_operators3)
        {
            if (rest.StartsWith(op, StringComparison.Ordinal))
            {
                return 3;
            }
        }

        foreach (var op in s_operators2)
        {
            if (rest.StartsWith(op, StringComparison.Ordinal))
            {
                return 2;
            }
        }

        return 1;
    }

    /// <summary>Appends the (start, length) of every token of <paramref name="text"/> from <paramref name="start"/>.</summary>
    public static void Tokenize(ReadOnlySpan<char> text, int start, List<(int Start, int Length)> tokens)
    {
        var position = start;
        while (position < text.Length)
        {
            var length = TokenLength(text, position);
            tokens.Add((position, length));
            position += length;
        }
    }

    /// <summary>The token strings of <paramref name="text"/> (for tests and tools).</summary>
    public static IReadOnlyList<string> Split(string text)
    {
        var spans = new List<(int Start, int Length)>();
        Tokenize(text, 0, spans);
        return spans.Select(s => text.Substring(s.Start, s.Length)).ToArray();
    }

    /// <summary>True for a newline token (<c>"\n"</c> plus indentation).</summary>
    public static bool IsNewline(ReadOnlySpan<char> token) => token.Length > 0 && token[0] is '\n' or '\r';

    /// <summary>Indentation width (characters after the line break) of a newline token.</summary>
    public static int IndentOf(ReadOnlySpan<char> newlineToken)
        => newlineToken.Length - (newlineToken.StartsWith("\r\n") ? 2 : 1);

    /// <summary>True when a token may be the unfinished start of a longer token (identifier or number).</summary>
    public static bool IsWordToken(ReadOnlySpan<char> token) => token.Length > 0 && (IsIdentifierStart(token[0]) || char.IsAsciiDigit(token[0]));

    public static bool IsIdentifierStart(char c) => char.IsLetter(c) || c is '_' or '$';

    public static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';
}
