namespace Code4me.Lsp.Core.Completion.PostProcessing;

/// <summary>Keeps brackets balanced between prefix, completion and suffix.</summary>
public static class BracketBalance
{
    private const int PrefixWindow = 4000;

    /// <summary>
    /// Truncates the completion before the first closer that has no opener to close: none in the
    /// completion, and none left open in the prefix once the closers the suffix already supplies (on
    /// the caret's line, and at the start of the next line in multi-line mode) are taken into account;
    /// or a closer of the wrong kind. In single-line mode it also truncates before the first opener the
    /// completion leaves unclosed, unless the completion ends with an opener or a comma (the line goes on below:
    /// <c>if (x) {</c>, <c>call(a, {</c>, <c>call(a,</c>). Brackets inside strings are not told apart (a heuristic).
    /// </summary>
    public static string Balance(string completion, string prefix, string suffix, bool multiLine)
    {
        var open = new Stack<char>();
        foreach (var c in prefix.AsSpan(Math.Max(0, prefix.Length - PrefixWindow)))
        {
            if (IsOpener(c))
            {
                open.Push(c);
            }
            else if (IsCloser(c) && open.Count > 0 && open.Peek() == OpenerOf(c))
            {
                open.Pop();
            }
        }

        var closable = Math.Max(0, open.Count - LeadingClosers(suffix, multiLine));
        var local = new Stack<(char Bracket, int Index)>();
        for (var i = 0; i < completion.Length; i++)
        {
            var c = completion[i];
            if (IsOpener(c))
            {
                local.Push((c, i));
            }
            else if (IsCloser(c))
            {
                if (local.Count > 0)
                {
                    if (local.Peek().Bracket != OpenerOf(c))
                    {
                        return completion[..i];
                    }

                    local.Pop();
                }
                else if (closable > 0 && open.Peek() == OpenerOf(c))
                {
                    open.Pop();
                    closable--;
                }
                else
                {
                    return completion[..i];
                }
            }
        }

        // A line that ends with an opener or a comma goes on below (a block, a call or a literal over several lines): it stays.
        if (!multiLine && local.Count > 0 && completion.AsSpan().TrimEnd()[^1] is var last && !IsOpener(last) && last != ',')
        {
            var firstUnclosed = local.Last().Index;
            return completion[..firstUnclosed].TrimEnd();
        }

        return completion;
    }

    /// <summary>Net closers the suffix puts right after the caret (rest of line; plus the next line's leading closers in multi-line mode).</summary>
    private static int LeadingClosers(string suffix, bool multiLine)
    {
        var rest = TextLines.RestOfLine(suffix);
        var depth = 0;
        var closers = 0;
        foreach (var c in rest)
        {
            if (IsOpener(c))
            {
                depth++;
            }
            else if (IsCloser(c))
            {
                if (depth > 0)
                {
                    depth--;
                }
                else
                {
                    closers++;
                }
            }
        }

        if (multiLine && rest.Length < suffix.Length)
        {
            var next = suffix.AsSpan(rest.Length).TrimStart();
            foreach (var c in next)
            {
                if (!IsCloser(c))
                {
                    break;
                }

                closers++;
            }
        }

        return closers;
    }

    private static bool IsOpener(char c) => c is '(' or '[' or '{';

    private static bool IsCloser(char c) => c is ')' or ']' or '}';

    private static char OpenerOf(char closer) => closer switch { ')' => '(', ']' => '[', _ => '{' };
}
