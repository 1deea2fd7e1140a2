namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>The non-blank lines of a text from its end to its start, each trimmed (<c>foreach</c> without allocating).</summary>
internal ref struct LinesAbove(ReadOnlySpan<char> text)
{
    private readonly ReadOnlySpan<char> _text = text;
    private int _end = text.Length;

    /// <summary>The line the enumerator is on.</summary>
    public ReadOnlySpan<char> Current { get; private set; }

    /// <summary>The whitespace characters before <see cref="Current"/> on its line.</summary>
    public int Indent { get; private set; }

    public readonly LinesAbove GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_end > 0)
        {
            var start = _text[..(_end - 1)].LastIndexOf('\n') + 1;
            var raw = _text[start.._end];
            var line = raw.Trim();
            _end = start - 1;
            if (!line.IsEmpty)
            {
                Current = line;
                Indent = raw.Length - raw.TrimStart().Length;
                return true;
            }
        }

        return false;
    }
}
