namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>Token strings ↔ dense ids, with span lookups that do not allocate. Ids 0 and 1 are reserved.</summary>
internal sealed class Vocabulary
{
    /// <summary>A token never seen in training.</summary>
    public const int Unknown = 0;

    /// <summary>Padding before the first token of a document.</summary>
    public const int BeginOfDocument = 1;

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanIds;
    private readonly List<string> _texts = ["\u0000unk", "\u0000bod"];
    private readonly Dictionary<char, List<int>> _byFirstChar = [];
    private long _chars;

    public Vocabulary() => _spanIds = _ids.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Number of real (non-reserved) tokens.</summary>
    public int RealCount => _texts.Count - 2;

    /// <summary>Total characters held by token strings (memory estimate).</summary>
    public long Characters => _chars;

    public string TextOf(int id) => _texts[id];

    public int GetOrAdd(ReadOnlySpan<char> token)
    {
        if (_spanIds.TryGetValue(token, out var id))
        {
            return id;
        }

        var text = token.ToString();
        id = _texts.Count;
        _texts.Add(text);
        _ids.Add(text, id);
        _chars += text.Length;
        if (!_byFirstChar.TryGetValue(text[0], out var bucket))
        {
            bucket = [];
            _byFirstChar.Add(text[0], bucket);
        }

        bucket.Add(id);
        return id;
    }

    public int Find(ReadOnlySpan<char> token) => _spanIds.TryGetValue(token, out var id) ? id : Unknown;

    /// <summary>Ids of tokens starting with <paramref name="first"/>, in insertion order.</summary>
    public IReadOnlyList<int> StartingWith(char first) => _byFirstChar.TryGetValue(first, out var bucket) ? bucket : [];
}
