namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>
/// Line retrieval for an <see cref="NGramModel"/>'s decoder: before each decode, the workspace lines (a
/// <see cref="LineIndex"/>) and the lines above the caret that may continue it, as token snippets for the copy
/// component (<see cref="DocumentCopy"/>), and what the best of them holds after the caret, a second opinion on the
/// first characters. Not thread-safe: the model's owner locks it.
/// </summary>
internal sealed class SnippetRetrieval
{
    private const int MaxSnippets = 4;
    private const int MinSharedPrefix = 4;
    private const int MaxAboveChars = 16384;

    private readonly Vocabulary _vocabulary;
    private readonly LineIndex _lines;
    private readonly List<int> _snippetIds = [];
    private readonly List<(int Start, int Length)> _snippetSpans = [];
    private readonly List<(int Start, int End, int LineBreak, int Shared)> _snippetRanges = [];
    private readonly List<(string Line, string Previous)> _retrieved = [];

    public SnippetRetrieval(Vocabulary vocabulary, LineIndex lines)
    {
        _vocabulary = vocabulary;
        _lines = lines;
    }

    /// <summary>The token ids of the snippets the last <see cref="Retrieve"/> found, one after the other.</summary>
    public List<int> SnippetIds => _snippetIds;

    /// <summary>Per snippet: its ids in <see cref="SnippetIds"/>, where its line starts and how many tokens of its previous line agree with the caret's.</summary>
    public List<(int Start, int End, int LineBreak, int Shared)> SnippetRanges => _snippetRanges;

    /// <summary>What the best retrieved line holds after the caret ("" none).</summary>
    public string RetrievedRest { get; private set; } = "";

    // Workspace lines for the copy component, each as a snippet "previous line, line break, line" written with the
    // caret's own indentation and the text between its previous line and its line, so that the history matches it as far
    // as the lines agree (and, past the line break, as far as the previous lines share a prefix): after a line start, the
    // line that most often follows the previous line (or the most similar indexed line) and the line after the most
    // similar line above; mid-line, the lines that extend what the caret's line holds.
    public void Retrieve(ReadOnlySpan<char> prefix, int windowStart)
    {
        var window = prefix[windowStart..];
        _snippetIds.Clear();
        _snippetRanges.Clear();
        var lineStart = window.LastIndexOf('\n') + 1;
        var line = window[lineStart..];
        var typed = line.TrimStart();
        var indent = line[..(line.Length - typed.Length)];
        var previousEnd = lineStart == 0 ? 0 : window[..lineStart].TrimEnd("\r\n\t ").Length;
        var previousStart = window[..previousEnd].LastIndexOf('\n') + 1;
        var previousLine = window[previousStart..previousEnd];
        var previous = previousLine.Trim().ToString();
        var lead = previousLine[..(previousLine.Length - previousLine.TrimStart().Length)];
        var between = window[previousEnd..lineStart];
        RetrievedRest = "";
        if (typed.IsEmpty)
        {
            if (_lines.Following(previous, Math.Sign(indent.Length - lead.Length)) is { } next)
            {
                AddSnippet(lead, next.Previous, between, indent, next.Line, previous);
                RetrievedRest = next.Line;
            }

            if (NearestAbove(prefix[Math.Max(0, windowStart - MaxAboveChars)..(windowStart + previousStart)], previous, Math.Sign(indent.Length - lead.Length)) is { } above)
            {
                AddSnippet(lead, above.Previous, between, indent, above.Line, previous);
                RetrievedRest = above.Line;
            }

            return;
        }

        var typedText = typed.ToString();
        _lines.Extending(typedText, previous, MaxSnippets, _retrieved);
        if (ExtendingAbove(prefix[Math.Max(0, windowStart - MaxAboveChars)..(windowStart + previousStart)], typedText, previous) is { } nearest)
        {
            _retrieved.Insert(0, nearest);
        }

        RetrievedRest = _retrieved.Count > 0 ? _retrieved[0].Line[typedText.Length..] : "";
        foreach (var (candidate, before) in _retrieved)
        {
            AddSnippet(lead, before, between, indent, candidate, previous);
        }
    }

    // In the lines above the previous line, the line sharing the longest prefix with the previous
    // line (a few characters at least), and the line after it.
    private static (string Line, string Previous)? NearestAbove(ReadOnlySpan<char> above, string previous, int indentStep)
    {
        (string Line, string Previous)? best = null;
        var shared = MinSharedPrefix - 1;
        var next = ReadOnlySpan<char>.Empty;
        var nextIndent = 0;
        var lines = new LinesAbove(above);
        while (lines.MoveNext())
        {
            var line = lines.Current;
            var n = line.CommonPrefixLength(previous);
            if (n > shared && !next.IsEmpty && Math.Sign(nextIndent - lines.Indent) == indentStep)
            {
                shared = n;
                best = (next.ToString(), line.ToString());
            }

            next = line;
            nextIndent = lines.Indent;
        }

        return best;
    }

    // In the lines above the previous line, the line that extends what the caret's line holds whose own previous line
    // shares the longest prefix with the caret's previous line (the nearest of equals), and that previous line.
    private static (string Line, string Previous)? ExtendingAbove(ReadOnlySpan<char> above, string typed, string previous)
    {
        (string Line, string Previous)? best = null;
        var shared = -1;
        var candidate = ReadOnlySpan<char>.Empty;
        foreach (var line in new LinesAbove(above))
        {
            if (!candidate.IsEmpty && line.CommonPrefixLength(previous) is var n && n > shared)
            {
                shared = n;
                best = (candidate.ToString(), line.ToString());
            }

            candidate = line.Length > typed.Length && line.StartsWith(typed, StringComparison.Ordinal) ? line : [];
        }

        return best;
    }

    private void AddSnippet(ReadOnlySpan<char> lead, string previous, ReadOnlySpan<char> between, ReadOnlySpan<char> indent, string line, string caretPrevious)
    {
        // The line break after the line votes for ending the line where the retrieved line ends.
        var head = string.Concat(lead, previous);
        var text = string.Concat(head, between, indent, line) + "\n";
        var start = _snippetIds.Count;
        var lineBreak = -1;
        _snippetSpans.Clear();
        CodeTokenizer.Tokenize(text, 0, _snippetSpans);
        foreach (var (s, length) in _snippetSpans)
        {
            if (lineBreak < 0 && s >= head.Length)
            {
                lineBreak = _snippetIds.Count;
            }

            _snippetIds.Add(_vocabulary.Find(text.AsSpan(s, length)));
        }

        // Tokens of the retrieved previous line that agree, from its start, with the caret's previous line.
        var agreed = previous.AsSpan().CommonPrefixLength(caretPrevious);
        agreed = 4 * agreed >= caretPrevious.Length ? agreed : 0; // a shared start of a few characters says little
        var shared = 0;
        _snippetSpans.Clear();
        CodeTokenizer.Tokenize(previous, 0, _snippetSpans);
        foreach (var (s, length) in _snippetSpans)
        {
            if (s + length <= agreed)
            {
                shared++;
            }
        }

        _snippetRanges.Add((start, _snippetIds.Count, lineBreak, shared));
    }
}
