using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>
/// A token n-gram model of one language with interpolated Kneser-Ney smoothing, trained by count
/// deltas. Not thread-safe: the owner (<see cref="OfflineCodeModel"/>) locks it.
/// </summary>
/// <remarks>
/// <para>Order k tables hold raw counts for the highest order and continuation counts (the number of
/// distinct tokens seen before the n-gram) below it, so that an (n-1)-gram's count changes exactly
/// when an n-gram appears for the first time or disappears.</para>
/// <para>P_k(w | h) = max(c_k(h w) − D, 0) / S_k(h) + D · N_k(h) / S_k(h) · P_{k−1}(w | h'),
/// with S the sum and N the number of distinct continuations of h, h' = h without its oldest token,
/// and P_0 uniform over the vocabulary plus one unknown token. A context never seen passes the
/// lower order through. The distribution sums to 1 over the vocabulary and the unknown token.</para>
/// <para>N-grams are keyed by a 64-bit hash of their token ids; a collision (odds ~1e-7 at millions of
/// entries) merges two counts and is tolerated.</para>
/// </remarks>
internal sealed class NGramModel
{
    private const ulong Seed = 0x243F6A8885A308D3UL;
    private const int MaxCandidatesPerLevel = 256;
    private const int EnoughCandidates = 16;
    private const int MaxPrefixCandidates = 4096;
    private const int FirstChars = 3;
    private const double CopyHalfWeightLength = 4; // a match this many tokens past two gets half the weight
    private const double NearbyWeight = 0.3;
    private const int MaxSnippets = 4;
    private const int MinSharedPrefix = 4;
    private const int MaxAboveChars = 16384;
    // How much line retrieval's second opinion moves the odds that the first characters are right (measured on the
    // quality benchmark: where the best retrieved line continues the same way the model was right about twice as often).
    private const double AgreementOdds = 2.7;
    private const double DisagreementOdds = 0.6;

    private readonly int _order;
    private readonly double _discount;
    private readonly Dictionary<ulong, GramEntry>[] _grams;
    private readonly Dictionary<ulong, ContextEntry>[] _contexts;

    // Scratch space for the single thread that holds the lock.
    private readonly List<(int Start, int Length)> _spans = [];
    private readonly List<int> _ids = [];
    private readonly List<int> _history = [];
    private readonly List<int> _candidates = [];
    private readonly HashSet<int> _seen = [];
    private readonly StringBuilder _text = new();
    private readonly List<double> _logprobs = [];
    private readonly List<int> _tokenEnds = [];
    private readonly HashSet<int> _partialCandidates = [];
    private readonly Dictionary<int, int> _nearby = [];
    private readonly DocumentCopy _copy = new();
    private int[] _topUnigrams = [];
    private long _changes;
    private long _topUnigramsAt;
    private readonly List<int> _snippetIds = [];
    private readonly List<(int Start, int Length)> _snippetSpans = [];
    private readonly List<(int Start, int End, int LineBreak, int Shared)> _snippetRanges = [];
    private readonly List<(string Line, string Previous)> _retrieved = [];
    private string _retrievedRest = ""; // what the best retrieved line holds after the caret ("" none)
    private readonly ContextEntry?[] _entries;
    private readonly ulong[] _hashes;

    public NGramModel(int order, double discount)
    {
        _order = Math.Clamp(order, 2, 8);
        _discount = Math.Clamp(discount, 0.05, 0.95);
        _grams = new Dictionary<ulong, GramEntry>[_order];
        _contexts = new Dictionary<ulong, ContextEntry>[_order];
        for (var k = 0; k < _order; k++)
        {
            _grams[k] = [];
            _contexts[k] = [];
        }

        _entries = new ContextEntry?[_order];
        _hashes = new ulong[_order];
    }

    public Vocabulary Vocabulary { get; } = new();

    /// <summary>The workspace's lines, for retrieval (filled by the owner from indexed files).</summary>
    public LineIndex Lines { get; } = new();

    public int Order => _order;

    /// <summary>Stored n-gram plus context entries.</summary>
    public long Entries
    {
        get
        {
            long n = 0;
            for (var k = 0; k < _order; k++)
            {
                n += _grams[k].Count + _contexts[k].Count;
            }

            return n;
        }
    }

    /// <summary>Rough bytes held by the count tables and vocabulary.</summary>
    public long ApproximateBytes
    {
        get
        {
            long bytes = 0;
            for (var k = 0; k < _order; k++)
            {
                bytes += _grams[k].Count * 48L;
                foreach (var entry in _contexts[k].Values)
                {
                    bytes += 72L + (4L * entry.Next.Length);
                }
            }

            return bytes + (Vocabulary.RealCount * 64L) + (2 * Vocabulary.Characters);
        }
    }

    // ---------------------------------------------------------------- training

    /// <summary>Counts a whole new document.</summary>
    public void AddDocument(TrackedDocument document, string text)
    {
        AdoptDocument(document, text);
        AddPositions(document.Ids, 0, document.Ids.Count);
    }

    /// <summary>Tokenizes a document without counting it (its counts are already in the tables).</summary>
    public void AdoptDocument(TrackedDocument document, string text)
    {
        document.Text = text;
        document.Ids.Clear();
        document.Starts.Clear();
        _spans.Clear();
        CodeTokenizer.Tokenize(text, 0, _spans);
        foreach (var (start, length) in _spans)
        {
            document.Ids.Add(Vocabulary.GetOrAdd(text.AsSpan(start, length)));
            document.Starts.Add(start);
        }
    }

    /// <summary>Removes every count a document contributed.</summary>
    public void RemoveDocument(TrackedDocument document)
    {
        RemovePositions(document.Ids, 0, document.Ids.Count);
        document.Ids.Clear();
        document.Starts.Clear();
        document.Text = "";
    }

    /// <summary>
    /// Applies a new version of a document: retokenizes from the last safe token boundary before the
    /// first changed character until the tokenization meets the old one again, removes the n-grams that
    /// touched the old tokens and adds those touching the new ones. Returns the number of tokens retokenized.
    /// </summary>
    public int UpdateDocument(TrackedDocument document, string text)
    {
        var old = document.Text;
        if (string.Equals(old, text, StringComparison.Ordinal))
        {
            return 0;
        }

        var p = old.AsSpan().CommonPrefixLength(text);
        var s = CommonSuffixLength(old.AsSpan(p), text.AsSpan(p));
        var delta = text.Length - old.Length;
        var newChangeEnd = text.Length - s;
        var starts = document.Starts;
        var ids = document.Ids;

        var i = starts.Count == 0 ? 0 : Math.Max(0, UpperBound(starts, Math.Max(0, p - CodeTokenizer.MaxLookBehind)) - 1);
        var position = starts.Count == 0 ? 0 : starts[i];
        var m = ids.Count;
        _spans.Clear();
        while (position < text.Length)
        {
            if (position >= newChangeEnd)
            {
                var at = starts.BinarySearch(i, starts.Count - i, position - delta, null);
                if (at >= 0)
                {
                    m = at;
                    break;
                }
            }

            var length = CodeTokenizer.TokenLength(text, position);
            _spans.Add((position, length));
            position += length;
        }

        RemovePositions(ids, i, Math.Min(m + _order - 1, ids.Count));

        _ids.Clear();
        foreach (var (start, length) in _spans)
        {
            _ids.Add(Vocabulary.GetOrAdd(text.AsSpan(start, length)));
        }

        ids.RemoveRange(i, m - i);
        ids.InsertRange(i, CollectionsMarshal.AsSpan(_ids));
        starts.RemoveRange(i, m - i);
        var newStarts = new int[_spans.Count];
        for (var j = 0; j < newStarts.Length; j++)
        {
            newStarts[j] = _spans[j].Start;
        }

        starts.InsertRange(i, newStarts);
        if (delta != 0)
        {
            var tail = CollectionsMarshal.AsSpan(starts)[(i + newStarts.Length)..];
            for (var j = 0; j < tail.Length; j++)
            {
                tail[j] += delta;
            }
        }

        AddPositions(ids, i, Math.Min(i + _spans.Count + _order - 1, ids.Count));
        document.Text = text;
        return _spans.Count;
    }

    /// <summary>Drops the rarest highest-order n-grams (count ≤ <paramref name="maxCount"/>), cascading to lower orders.</summary>
    public int Prune(int maxCount)
    {
        var top = _grams[_order - 1];
        var victims = new List<ulong>();
        foreach (var (key, entry) in top)
        {
            if (entry.Count <= maxCount)
            {
                victims.Add(key);
            }
        }

        foreach (var key in victims)
        {
            Remove(key, _order, int.MaxValue);
        }

        return victims.Count;
    }

    private void AddPositions(List<int> ids, int from, int to)
    {
        var all = CollectionsMarshal.AsSpan(ids);
        for (var e = from; e < to; e++)
        {
            Hash(all[..e], _hashes);
            Add(_hashes, all[e], _order);
        }
    }

    private void RemovePositions(List<int> ids, int from, int to)
    {
        var all = CollectionsMarshal.AsSpan(ids);
        for (var e = from; e < to; e++)
        {
            Hash(all[..e], _hashes);
            Remove(GramKey(_hashes[_order - 1], all[e]), _order, 1);
        }
    }

    private void Add(ReadOnlySpan<ulong> context, int word, int k)
    {
        var key = GramKey(context[k - 1], word);
        ref var gram = ref CollectionsMarshal.GetValueRefOrAddDefault(_grams[k - 1], key, out var exists);
        if (!exists)
        {
            gram.Word = word;
            gram.Context = context[k - 1];
            gram.LowerContext = k > 1 ? context[k - 2] : 0;
        }

        gram.Count++;
        _changes++;
        var first = gram.Count == 1;
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_contexts[k - 1], context[k - 1], out _);
        entry ??= new ContextEntry();
        entry.Sum++;
        if (first)
        {
            entry.AddNext(word);
            if (k > 1)
            {
                Add(context, word, k - 1);
            }
        }
    }

    private void Remove(ulong key, int k, int amount)
    {
        ref var gram = ref CollectionsMarshal.GetValueRefOrNullRef(_grams[k - 1], key);
        if (Unsafe.IsNullRef(ref gram))
        {
            return; // pruned earlier: nothing to take back
        }

        var taken = Math.Min(amount, gram.Count);
        gram.Count -= taken;
        var copy = gram;
        _contexts[k - 1].TryGetValue(copy.Context, out var entry);
        if (entry is not null)
        {
            entry.Sum -= taken;
        }

        if (copy.Count > 0)
        {
            return;
        }

        _grams[k - 1].Remove(key);
        if (entry is not null)
        {
            entry.RemoveNext(copy.Word);
            if (entry.Count == 0)
            {
                _contexts[k - 1].Remove(copy.Context);
            }
        }

        if (k > 1)
        {
            Remove(GramKey(copy.LowerContext, copy.Word), k - 1, 1);
        }
    }

    // ---------------------------------------------------------------- probabilities

    /// <summary>P(word | the tokens of <paramref name="history"/>), for tests and tools.</summary>
    public double Probability(ReadOnlySpan<int> history, int word)
    {
        Hash(history, _hashes);
        LoadEntries();
        return Probability(word);
    }

    /// <summary>P(unknown token | history).</summary>
    public double UnknownProbability(ReadOnlySpan<int> history) => Probability(history, Vocabulary.Unknown);

    private double Probability(int word)
    {
        var p = 1.0 / (Vocabulary.RealCount + 1);
        for (var k = 1; k <= _order; k++)
        {
            var entry = _entries[k - 1];
            if (entry is null || entry.Sum <= 0)
            {
                continue;
            }

            var c = _grams[k - 1].TryGetValue(GramKey(_hashes[k - 1], word), out var gram) ? gram.Count : 0;
            p = (Math.Max(c - _discount, 0) + (_discount * entry.Count * p)) / entry.Sum;
        }

        return p;
    }

    private void LoadEntries()
    {
        for (var k = 0; k < _order; k++)
        {
            _contexts[k].TryGetValue(_hashes[k], out _entries[k]);
        }
    }

    // ---------------------------------------------------------------- decoding

    /// <summary>Removes, until <see cref="Restore"/>, what tokens [<paramref name="from"/>, <paramref name="to"/>) of a document taught the tables.</summary>
    public void Exclude(TrackedDocument document, int from, int to)
        => RemovePositions(document.Ids, from, Math.Min(to + _order - 1, document.Ids.Count));

    /// <summary>Counts again what <see cref="Exclude"/> removed.</summary>
    public void Restore(TrackedDocument document, int from, int to)
        => AddPositions(document.Ids, from, Math.Min(to + _order - 1, document.Ids.Count));

    /// <summary>
    /// Greedy decoding after <paramref name="prefix"/> (only its tail is read). Returns the text and the natural-log
    /// probability of each emitted token under the mixture of the n-gram tables and, when <paramref name="document"/> is
    /// given, the copy component (<see cref="DocumentCopy"/>) over its tokens outside [<paramref name="excludeFrom"/>,
    /// <paramref name="excludeTo"/>). When the prefix ends inside a word, the first token must extend that word; its
    /// probability is conditioned on doing so (n-gram, copy and the identifiers just above the caret), and the probability
    /// that the word was already complete is folded into the first emitted token. Decoding stops at a line break in
    /// single-line mode, below the block's indentation, before a token under the minimum probability, and before a phrase
    /// of three or more tokens (or a line) would repeat itself back to back. <paramref name="confidence"/> is the
    /// probability of the tokens that cover the first three characters.
    /// </summary>
    public RawGeneration Generate(ReadOnlySpan<char> prefix, int maxPrefixChars, in DecodeSettings settings, List<int>? document, int excludeFrom, int excludeTo, out double confidence)
    {
        confidence = 0;
        var windowStart = 0;
        if (prefix.Length > maxPrefixChars)
        {
            windowStart = prefix.Length - maxPrefixChars;
            var newline = prefix[windowStart..].IndexOf('\n');
            windowStart = newline < 0 ? windowStart : windowStart + newline;
            if (windowStart > 0 && prefix[windowStart - 1] == '\r')
            {
                windowStart--;
            }
        }

        var window = prefix[windowStart..];
        _spans.Clear();
        CodeTokenizer.Tokenize(window, 0, _spans);
        _history.Clear();
        if (windowStart == 0)
        {
            for (var j = 1; j < _order; j++)
            {
                _history.Add(Vocabulary.BeginOfDocument);
            }
        }

        var partial = ReadOnlySpan<char>.Empty;
        var count = _spans.Count;
        if (count > 0)
        {
            var last = window.Slice(_spans[count - 1].Start, _spans[count - 1].Length);
            if (CodeTokenizer.IsWordToken(last))
            {
                partial = last;
                count--;
            }
        }

        for (var j = 0; j < count; j++)
        {
            _history.Add(Vocabulary.Find(window.Slice(_spans[j].Start, _spans[j].Length)));
        }

        var historyStart = _history.Count;
        Retrieve(prefix, windowStart);
        _copy.Reset(document, excludeFrom, excludeTo, _snippetIds, _snippetRanges, CollectionsMarshal.AsSpan(_history));

        var blockIndent = -1;
        if (settings.MultiLine && count > 0 && partial.IsEmpty)
        {
            var last = window.Slice(_spans[count - 1].Start, _spans[count - 1].Length);
            if (CodeTokenizer.IsNewline(last))
            {
                blockIndent = CodeTokenizer.IndentOf(last);
            }
        }

        _text.Clear();
        _logprobs.Clear();
        _tokenEnds.Clear();
        var carry = 0.0;
        if (!partial.IsEmpty)
        {
            if (!ExtendPartial(partial, ref carry))
            {
                return new RawGeneration("", []);
            }

            _copy.Advance(_history[^1], CollectionsMarshal.AsSpan(_history));
        }

        var lines = 0;
        var previousWasNewline = false;
        var lineStartText = 0;
        var endProbability = 0.0; // that the first line ends where the decode stopped
        while (_logprobs.Count < settings.MaxTokens)
        {
            Hash(CollectionsMarshal.AsSpan(_history), _hashes);
            LoadEntries();
            GatherCandidates();
            var copyWeight = CopyWeight();
            if (copyWeight > 0)
            {
                foreach (var w in _copy.NextVotes.Keys)
                {
                    if (_seen.Add(w))
                    {
                        _candidates.Add(w);
                    }
                }
            }

            if (_candidates.Count == 0)
            {
                break;
            }

            var best = -1;
            var bestP = 0.0;
            foreach (var w in _candidates)
            {
                var pw = ((1 - copyWeight) * Probability(w)) + (copyWeight * _copy.Probability(w));
                if (pw > bestP)
                {
                    bestP = pw;
                    best = w;
                }
            }

            var token = Vocabulary.TextOf(best);
            if (bestP < settings.MinTokenProbability)
            {
                endProbability = lines == 0 && CodeTokenizer.IsNewline(token) ? bestP : 0;
                break;
            }

            if (CodeTokenizer.IsNewline(token))
            {
                endProbability = lines == 0 ? bestP : endProbability;
                var indent = CodeTokenizer.IndentOf(token);
                if ((lines > 0 && RepeatsPreviousLine(prefix, lineStartText))
                    || !settings.MultiLine || previousWasNewline || lines + 1 >= settings.MaxLines || (blockIndent >= 0 && indent < blockIndent))
                {
                    break;
                }

                if (blockIndent < 0)
                {
                    blockIndent = indent;
                }

                lines++;
                previousWasNewline = true;
                lineStartText = _text.Length + token.Length;
            }
            else
            {
                previousWasNewline = false;
            }

            _text.Append(token);
            _tokenEnds.Add(_text.Length);
            _logprobs.Add(Math.Log(bestP) + carry);
            carry = 0;
            _history.Add(best);
            if (RepeatsPhrase(historyStart))
            {
                break;
            }

            _copy.Advance(best, CollectionsMarshal.AsSpan(_history));
        }

        // A trailing line break adds nothing the user can see.
        if (previousWasNewline && _logprobs.Count > 0)
        {
            Drop(1);
        }

        confidence = FirstCharsProbability();
        if (FirstLineLength() < FirstChars)
        {
            confidence *= endProbability; // a short suggestion is right only if the line ends there
        }

        confidence = Calibrate(confidence);

        // The n-gram model has no prompt in the LLM sense (it conditions on the last few tokens): no prompt count.
        return new RawGeneration(_text.ToString(), _logprobs.ToArray(), CompletionTokens: _logprobs.Count);
    }

    // Workspace lines for the copy component, each as a snippet "previous line, line break, line" written with the
    // caret's own indentation and the text between its previous line and its line, so that the history matches it as far
    // as the lines agree (and, past the line break, as far as the previous lines share a prefix): after a line start, the
    // line that most often follows the previous line (or the most similar indexed line) and the line after the most
    // similar line above; mid-line, the lines that extend what the caret's line holds.
    private void Retrieve(ReadOnlySpan<char> prefix, int windowStart)
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
        _retrievedRest = "";
        if (typed.IsEmpty)
        {
            if (Lines.Following(previous, Math.Sign(indent.Length - lead.Length)) is { } next)
            {
                AddSnippet(lead, next.Previous, between, indent, next.Line, previous);
                _retrievedRest = next.Line;
            }

            if (NearestAbove(prefix[Math.Max(0, windowStart - MaxAboveChars)..(windowStart + previousStart)], previous, Math.Sign(indent.Length - lead.Length)) is { } above)
            {
                AddSnippet(lead, above.Previous, between, indent, above.Line, previous);
                _retrievedRest = above.Line;
            }

            return;
        }

        var typedText = typed.ToString();
        Lines.Extending(typedText, previous, MaxSnippets, _retrieved);
        if (ExtendingAbove(prefix[Math.Max(0, windowStart - MaxAboveChars)..(windowStart + previousStart)], typedText, previous) is { } nearest)
        {
            _retrieved.Insert(0, nearest);
        }

        _retrievedRest = _retrieved.Count > 0 ? _retrieved[0].Line[typedText.Length..] : "";
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

            _snippetIds.Add(Vocabulary.Find(text.AsSpan(s, length)));
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

    // The model's probability that the first characters are right, calibrated by the second opinion of line retrieval:
    // its odds go up when the best retrieved line continues the same way, down when it does not or there is none.
    private double Calibrate(double confidence)
    {
        if (confidence <= 0 || confidence >= 1)
        {
            return confidence;
        }

        var n = Math.Min(FirstChars, Math.Min(_text.Length, _retrievedRest.Length));
        var agree = n > 0 && _text.ToString(0, n).AsSpan().SequenceEqual(_retrievedRest.AsSpan(0, n));
        var odds = confidence / (1 - confidence) * (agree ? AgreementOdds : DisagreementOdds);
        return odds / (1 + odds);
    }

    // The copy component's share: none for a match of one or two tokens (a bracket or a name alone proves little), then
    // more the longer the match; the places that match share it by their votes.
    private double CopyWeight()
    {
        if (_copy.Votes == 0)
        {
            return 0;
        }

        var length = _copy.MatchLength;
        return Math.Max(0, length - 2) / (Math.Max(0, length - 2) + CopyHalfWeightLength);
    }

    // True (and the repetition removed) when the emitted tokens end with a phrase of at least three tokens that
    // repeats the phrase just before it, the second copy made only of emitted tokens.
    private bool RepeatsPhrase(int historyStart)
    {
        var emitted = _history.Count - historyStart;
        var all = CollectionsMarshal.AsSpan(_history);
        for (var k = 3; k <= emitted && 2 * k <= all.Length; k++)
        {
            if (all[^k..].SequenceEqual(all[^(2 * k)..^k]) && IsPhrase(all[^k..]))
            {
                // The repetition goes; when it spans lines, what of it completes the line it starts on stays (a call
                // finished, then the lines above all over again).
                var keep = 0;
                while (keep < k && !CodeTokenizer.IsNewline(Vocabulary.TextOf(all[^(k - keep)])))
                {
                    keep++;
                }

                Drop(keep > 0 && keep < k ? k - keep : k);
                return true;
            }
        }

        return false;
    }

    // A phrase has a name in it, or spans lines ("x=None, x=None" repeats; ", \", \"" and "(op, 16), 16)" do not).
    private bool IsPhrase(ReadOnlySpan<int> tokens)
    {
        foreach (var token in tokens)
        {
            var text = Vocabulary.TextOf(token);
            if ((text.Length > 0 && CodeTokenizer.IsIdentifierStart(text[0])) || CodeTokenizer.IsNewline(text))
            {
                return true;
            }
        }

        return false;
    }

    // True (the line emitted since lineStartText removed) when the line being finished equals the line before it.
    private bool RepeatsPreviousLine(ReadOnlySpan<char> prefix, int lineStartText)
    {
        var tail = string.Concat(prefix[Math.Max(0, prefix.Length - 1024)..], _text.ToString());
        var end = tail.Length;
        var start = tail.LastIndexOf('\n', end - 1) + 1;
        if (start <= 0)
        {
            return false;
        }

        var line = tail.AsSpan(start, end - start).Trim();
        var previousStart = start >= 2 ? tail.LastIndexOf('\n', start - 2) + 1 : 0;
        var previous = tail.AsSpan(previousStart, start - 1 - previousStart).Trim();
        if (!line.SequenceEqual(previous) || CodeTokenizer.Split(line.ToString()).Count(t => !string.IsNullOrWhiteSpace(t)) < 3)
        {
            return false; // "}" after "}" or "end" after "end" is how blocks close
        }

        var tokens = 0;
        while (tokens < _tokenEnds.Count && _tokenEnds[^(tokens + 1)] > lineStartText)
        {
            tokens++;
        }

        Drop(tokens);
        return true;
    }

    // Removes the last n emitted tokens.
    private void Drop(int n)
    {
        for (var j = 0; j < n && _logprobs.Count > 0; j++)
        {
            _tokenEnds.RemoveAt(_tokenEnds.Count - 1);
            _logprobs.RemoveAt(_logprobs.Count - 1);
            _history.RemoveAt(_history.Count - 1);
        }

        _text.Length = _tokenEnds.Count == 0 ? 0 : _tokenEnds[^1];
    }

    private int FirstLineLength()
    {
        for (var j = 0; j < _text.Length; j++)
        {
            if (_text[j] is '\n' or '\r')
            {
                return j;
            }
        }

        return _text.Length;
    }

    private double FirstCharsProbability()
    {
        var logp = 0.0;
        for (var j = 0; j < _logprobs.Count; j++)
        {
            logp += _logprobs[j];
            if (_tokenEnds[j] >= FirstChars)
            {
                break;
            }
        }

        return _logprobs.Count == 0 ? 0 : Math.Exp(logp);
    }

    private bool ExtendPartial(ReadOnlySpan<char> partial, ref double carry)
    {
        Hash(CollectionsMarshal.AsSpan(_history), _hashes);
        LoadEntries();
        _partialCandidates.Clear();
        var scanned = 0;
        foreach (var w in Vocabulary.StartingWith(partial[0]))
        {
            if (++scanned > MaxPrefixCandidates)
            {
                break;
            }

            if (Vocabulary.TextOf(w).AsSpan().StartsWith(partial, StringComparison.Ordinal))
            {
                _partialCandidates.Add(w);
            }
        }

        foreach (var w in _copy.NextVotes.Keys)
        {
            if (Vocabulary.TextOf(w).AsSpan().StartsWith(partial, StringComparison.Ordinal))
            {
                _partialCandidates.Add(w);
            }
        }

        _copy.CountNearby(_partialCandidates, _nearby);
        double ngramTotal = 0, copyTotal = 0, nearbyTotal = 0;
        foreach (var w in _partialCandidates)
        {
            ngramTotal += Probability(w);
            copyTotal += _copy.Probability(w);
            nearbyTotal += _nearby.GetValueOrDefault(w);
        }

        if (_partialCandidates.Count == 0 || ngramTotal <= 0)
        {
            // A word the model has never seen: it is complete as typed (nothing known extends it).
            _history.Add(Vocabulary.Find(partial));
            return true;
        }

        var copyShare = copyTotal > 0 ? CopyWeight() : 0;
        var nearbyShare = nearbyTotal > 0 ? NearbyWeight * (1 - copyShare) : 0;
        var ngramShare = 1 - copyShare - nearbyShare;
        var best = -1;
        var bestP = 0.0;
        foreach (var w in _partialCandidates)
        {
            var pw = (ngramShare * Probability(w) / ngramTotal)
                + (copyShare > 0 ? copyShare * _copy.Probability(w) / copyTotal : 0)
                + (nearbyShare > 0 ? nearbyShare * _nearby.GetValueOrDefault(w) / nearbyTotal : 0);
            if (pw > bestP || (pw == bestP && w < best))
            {
                bestP = pw;
                best = w;
            }
        }

        if (best < 0)
        {
            return false;
        }

        var text = Vocabulary.TextOf(best);
        _history.Add(best);
        if (text.Length == partial.Length)
        {
            carry = Math.Log(bestP); // the typed word is complete: continue after it
            return true;
        }

        _text.Append(text.AsSpan(partial.Length));
        _tokenEnds.Add(_text.Length);
        _logprobs.Add(Math.Log(bestP));
        return true;
    }

    private void GatherCandidates()
    {
        _candidates.Clear();
        _seen.Clear();
        for (var k = _order; k >= 2 && _candidates.Count < EnoughCandidates; k--)
        {
            var entry = _entries[k - 1];
            if (entry is null)
            {
                continue;
            }

            var n = Math.Min(entry.Count, MaxCandidatesPerLevel);
            for (var j = 0; j < n; j++)
            {
                if (_seen.Add(entry.Next[j]))
                {
                    _candidates.Add(entry.Next[j]);
                }
            }
        }

        // A context never seen (a new word just typed): the tokens that follow the most different contexts.
        if (_candidates.Count == 0)
        {
            foreach (var w in TopUnigrams())
            {
                _seen.Add(w);
                _candidates.Add(w);
            }
        }
    }

    // Recomputed when the tables have changed by more than a few thousand counts since (a scan of the vocabulary).
    private int[] TopUnigrams()
    {
        if (_topUnigrams.Length == 0 || _changes - _topUnigramsAt > 4096)
        {
            _topUnigrams = [.. _grams[0].Values.OrderByDescending(g => g.Count).Take(EnoughCandidates).Select(g => g.Word)];
            _topUnigramsAt = _changes;
        }

        return _topUnigrams;
    }

    // ---------------------------------------------------------------- hashing

    /// <summary>hashes[j] = hash of the last j tokens of <paramref name="history"/> (begin-of-document padded).</summary>
    private void Hash(ReadOnlySpan<int> history, ulong[] hashes)
    {
        hashes[0] = Seed;
        for (var j = 1; j < _order; j++)
        {
            var token = j <= history.Length ? history[^j] : Vocabulary.BeginOfDocument;
            hashes[j] = Mix(hashes[j - 1], token);
        }
    }


    private static ulong GramKey(ulong context, int word) => Mix(context ^ 0x9E3779B97F4A7C15UL, word);

    private static ulong Mix(ulong hash, int token)
    {
        var x = hash ^ ((ulong)(uint)token * 0xD6E8FEB86659FD93UL);
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return x;
    }

    private static int UpperBound(List<int> sorted, int value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int CommonSuffixLength(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        const int Block = 64;
        var max = Math.Min(a.Length, b.Length);
        var s = 0;
        while (s + Block <= max && a[(a.Length - s - Block)..(a.Length - s)].SequenceEqual(b[(b.Length - s - Block)..(b.Length - s)]))
        {
            s += Block;
        }

        while (s < max && a[a.Length - s - 1] == b[b.Length - s - 1])
        {
            s++;
        }

        return s;
    }

    private struct GramEntry
    {
        public int Count;
        public int Word;
        public ulong Context;
        public ulong LowerContext;
    }

    private sealed class ContextEntry
    {
        public int Sum;
        public int Count;
        public int[] Next = new int[2];

        public void AddNext(int word)
        {
            if (Count == Next.Length)
            {
                Array.Resize(ref Next, Next.Length * 2);
            }

            Next[Count++] = word;
        }

        public void RemoveNext(int word)
        {
            var at = Array.IndexOf(Next, word, 0, Count);
            if (at >= 0)
            {
                Next[at] = Next[--Count];
            }
        }
    }
}
