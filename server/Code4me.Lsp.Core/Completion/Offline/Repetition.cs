namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>How a greedy decode tells that it has started to repeat itself (it then stops, the repetition removed).</summary>
internal static class Repetition
{
    /// <summary>
    /// How many of the last tokens of <paramref name="history"/> to remove because they repeat a phrase of at least three
    /// tokens just before them, the second copy made only of the <paramref name="emitted"/> tokens (0: none).
    /// </summary>
    public static int OfPhrase(ReadOnlySpan<int> history, int emitted, Vocabulary vocabulary)
    {
        for (var k = 3; k <= emitted && 2 * k <= history.Length; k++)
        {
            if (history[^k..].SequenceEqual(history[^(2 * k)..^k]) && IsPhrase(history[^k..], vocabulary))
            {
                // The repetition goes; when it spans lines, what of it completes the line it starts on stays (a call
                // finished, then the lines above all over again).
                var keep = 0;
                while (keep < k && !CodeTokenizer.IsNewline(vocabulary.TextOf(history[^(k - keep)])))
                {
                    keep++;
                }

                return keep > 0 && keep < k ? k - keep : k;
            }
        }

        return 0;
    }

    /// <summary>True when the line <paramref name="emitted"/> finishes (after <paramref name="prefix"/>) equals the line before it.</summary>
    public static bool OfPreviousLine(ReadOnlySpan<char> prefix, string emitted)
    {
        var tail = string.Concat(prefix[Math.Max(0, prefix.Length - 1024)..], emitted);
        var end = tail.Length;
        var start = tail.LastIndexOf('\n', end - 1) + 1;
        if (start <= 0)
        {
            return false;
        }

        var line = tail.AsSpan(start, end - start).Trim();
        var previousStart = start >= 2 ? tail.LastIndexOf('\n', start - 2) + 1 : 0;
        var previous = tail.AsSpan(previousStart, start - 1 - previousStart).Trim();

        // "}" after "}" or "end" after "end" is how blocks close.
        return line.SequenceEqual(previous) && CodeTokenizer.Split(line.ToString()).Count(t => !string.IsNullOrWhiteSpace(t)) >= 3;
    }

    // A phrase has a name in it, or spans lines ("x=None, x=None" repeats; ", \", \"" and "(op, 16), 16)" do not).
    private static bool IsPhrase(ReadOnlySpan<int> tokens, Vocabulary vocabulary)
    {
        foreach (var token in tokens)
        {
            var text = vocabulary.TextOf(token);
            if ((text.Length > 0 && CodeTokenizer.IsIdentifierStart(text[0])) || CodeTokenizer.IsNewline(text))
            {
                return true;
            }
        }

        return false;
    }
}
