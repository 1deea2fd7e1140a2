using System.Runtime.InteropServices;
using System.Text;

namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>
/// The greedy decoder of an <see cref="NGramModel"/>: mixes the count tables (<see cref="GramTables"/>) with the copy
/// component (<see cref="DocumentCopy"/>) over the document and the lines <see cref="SnippetRetrieval"/> found, token by
/// token, and says how sure it is of the first characters. Not thread-safe: the model's owner locks it.
/// </summary>
internal sealed class NGramDecoder
{
    private const int MaxPrefixCandidates = 4096;
    private const int FirstChars = 3;
    private const double CopyHalfWeightLength = 4; // a match this many tokens past two gets half the weight
    private const double NearbyWeight = 0.3;
    // How much line retrieval's second opinion moves the odds that the first characters are right (measured on the
    // quality benchmark: where the best retrieved line continues the same way the model was right about twice as often).
    private const double AgreementOdds = 2.7;
    private const double DisagreementOdds = 0.6;
    // At a line start the copy component's match reaches back over the line break: that the previous lines agree says
    // less about the next line than a match within a line says about the next token. The confidence in the first token
    // there counts the copy component at this share of its weight (the choice of the token still counts it whole).
    private const double LineStartCopyShare = 0.5;

    private readonly GramTables _tables;
    private readonly Vocabulary _vocabulary;
    private readonly SnippetRetrieval _retrieval;

    // Scratch space for the single thread that holds the lock.
    private readonly List<(int Start, int Length)> _spans = [];
    private readonly List<int> _history = [];
    private readonly List<int> _candidates = [];
    private readonly HashSet<int> _seen = [];
    private readonly StringBuilder _text = new();
    private readonly List<double> _logprobs = [];
    private readonly List<int> _tokenEnds = [];
    private readonly HashSet<int> _partialCandidates = [];
    private readonly Dictionary<int, int> _nearby = [];
    private readonly DocumentCopy _copy = new();
    private readonly LineScorer _scorer;

    public NGramDecoder(GramTables tables, Vocabulary vocabulary, LineIndex lines)
    {
        _tables = tables;
        _vocabulary = vocabulary;
        _retrieval = new SnippetRetrieval(vocabulary, lines);
        _scorer = new LineScorer(tables, vocabulary, _copy);
    }

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
            for (var j = 1; j < _tables.Order; j++)
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
            _history.Add(_vocabulary.Find(window.Slice(_spans[j].Start, _spans[j].Length)));
        }

        var historyStart = _history.Count;
        _retrieval.Retrieve(prefix, windowStart);
        _copy.Reset(document, excludeFrom, excludeTo, _retrieval.SnippetIds, _retrieval.SnippetRanges, CollectionsMarshal.AsSpan(_history));

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
        var wordCarry = 0.0;
        if (!partial.IsEmpty)
        {
            if (!ExtendPartial(partial, ref carry))
            {
                return new RawGeneration("", []);
            }

            _copy.Advance(_history[^1], CollectionsMarshal.AsSpan(_history));
            wordCarry = carry;
        }

        // At the start of a line (after its indentation) the user is about to write it: a blank line is no answer.
        var blankLine = partial.IsEmpty && window[(window.LastIndexOf('\n') + 1)..].IsWhiteSpace();
        var lineStartOdds = 1.0;
        var lines = 0;
        var previousWasNewline = false;
        var lineStartText = 0;
        var endProbability = 0.0; // that the first line ends where the decode stopped
        while (_logprobs.Count < settings.MaxTokens)
        {
            _tables.Load(CollectionsMarshal.AsSpan(_history));
            _tables.GatherCandidates(_candidates, _seen);
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

            // The line ends when that is likelier than any one continuation: the line breaks of every indentation
            // together against the best other token (the most likely break then stands for them).
            var best = -1;
            var bestP = 0.0;
            var lineBreak = -1;
            var lineBreakP = 0.0;
            var lineEndP = 0.0;
            foreach (var w in _candidates)
            {
                var pw = Mixture(_tables, _copy, copyWeight, w);
                if (CodeTokenizer.IsNewline(_vocabulary.TextOf(w)))
                {
                    if (blankLine && _logprobs.Count == 0)
                    {
                        continue;
                    }

                    lineEndP += pw;
                    if (pw > lineBreakP)
                    {
                        lineBreakP = pw;
                        lineBreak = w;
                    }
                }
                else if (pw > bestP)
                {
                    bestP = pw;
                    best = w;
                }
            }

            if (lineBreak >= 0 && lineEndP >= bestP)
            {
                best = lineBreak;
                bestP = lineEndP;
            }

            if (blankLine && _logprobs.Count == 0 && bestP > 0)
            {
                lineStartOdds = Mixture(_tables, _copy, copyWeight * LineStartCopyShare, best) / bestP;
            }

            var token = _vocabulary.TextOf(best);
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

        // The line retrieval found against the decoded one, at a line start as a whole, inside a word after it.
        if (blankLine && !settings.MultiLine && _retrieval.RetrievedRest.Length > 0 && _logprobs.Count > 0 && _retrieval.RetrievedRest != _text.ToString())
        {
            Rescore(_retrieval.RetrievedRest, 0, 0, 0, historyStart, document, excludeFrom, excludeTo, ref endProbability);
        }
        else if (!partial.IsEmpty && !settings.MultiLine && _retrieval.RetrievedRest.Length > 0 && _logprobs.Count > 0)
        {
            RescoreRetrievedWordRest(partial, historyStart, wordCarry, document, excludeFrom, excludeTo, ref endProbability);
        }

        confidence = FirstCharsProbability() * lineStartOdds;
        if (FirstLineLength() < FirstChars)
        {
            confidence *= endProbability; // a short suggestion is right only if the line ends there
        }

        confidence = Calibrate(confidence);

        // The n-gram model has no prompt in the LLM sense (it conditions on the last few tokens): no prompt count.
        return new RawGeneration(_text.ToString(), _logprobs.ToArray(), CompletionTokens: _logprobs.Count);
    }

    // Inside a word: where the retrieved line completes the word as the decode did, what follows the word in each.
    private void RescoreRetrievedWordRest(ReadOnlySpan<char> partial, int historyStart, double wordCarry, List<int>? document, int excludeFrom, int excludeTo, ref double endProbability)
    {
        var word = _vocabulary.TextOf(_history[historyStart]);
        var rest = _retrieval.RetrievedRest;
        var wordEnd = word.Length - partial.Length; // where the word ends in the completion
        if (rest != _text.ToString() && rest.Length > wordEnd && rest.StartsWith(word.AsSpan(partial.Length), StringComparison.Ordinal)
            && !CodeTokenizer.IsIdentifierPart(rest[wordEnd]) && (wordEnd == 0 || _tokenEnds[0] == wordEnd))
        {
            // The word's own probability is the same either way.
            var shared = wordEnd > 0 ? _logprobs[0] : wordCarry;
            Rescore(rest[wordEnd..], wordEnd, shared, wordEnd > 0 ? 0 : wordCarry, historyStart + 1, document, excludeFrom, excludeTo, ref endProbability);
        }
    }

    // The retrieved line's rest after the first `offset` characters of the completion against the decoded one's, each
    // scored as a whole by the model (its tokens and a line break after them); the likelier stays. `shared` is the
    // log probability of what both hold before it, `carry` what the first token of the rest adds (a complete word's).
    private void Rescore(string rest, int offset, double shared, double carry, int historyKeep, List<int>? document, int excludeFrom, int excludeTo, ref double endProbability)
    {
        var decodedScore = FirstLogProbabilities(_logprobs.Count) - shared + Math.Log(endProbability > 0 ? endProbability : 1);
        _history.RemoveRange(historyKeep, _history.Count - historyKeep);
        _copy.Reset(document, excludeFrom, excludeTo, _retrieval.SnippetIds, _retrieval.SnippetRanges, CollectionsMarshal.AsSpan(_history));
        if (_scorer.Adopt(rest, offset, carry, decodedScore, _text, _logprobs, _tokenEnds, _history, out var end))
        {
            endProbability = end;
        }
    }

    private double FirstLogProbabilities(int tokens)
    {
        var logp = 0.0;
        for (var j = 0; j < tokens; j++)
        {
            logp += _logprobs[j];
        }

        return logp;
    }

    // The model's probability that the first characters are right, calibrated by the second opinion of line retrieval:
    // its odds go up when the best retrieved line continues the same way, down when it does not or there is none.
    private double Calibrate(double confidence)
    {
        if (confidence <= 0 || confidence >= 1)
        {
            return confidence;
        }

        var n = Math.Min(FirstChars, Math.Min(_text.Length, _retrieval.RetrievedRest.Length));
        var agree = n > 0 && _text.ToString(0, n).AsSpan().SequenceEqual(_retrieval.RetrievedRest.AsSpan(0, n));
        var odds = confidence / (1 - confidence) * (agree ? AgreementOdds : DisagreementOdds);
        return odds / (1 + odds);
    }

    // The copy component's share: none for a match of one or two tokens (a bracket or a name alone proves little), then
    // more the longer the match; the places that match share it by their votes.
    private double CopyWeight() => CopyWeight(_copy);

    /// <summary>The probability of <paramref name="token"/> under the mixture of the n-gram tables (at their loaded history)
    /// and <paramref name="copy"/>, the latter at <paramref name="copyWeight"/>: what the decoder and <see cref="LineScorer"/> both score.</summary>
    internal static double Mixture(GramTables tables, DocumentCopy copy, double copyWeight, int token) =>
        ((1 - copyWeight) * tables.Probability(token)) + (copyWeight * copy.Probability(token));

    /// <summary>The share of <paramref name="copy"/> in the mixture at its current match.</summary>
    internal static double CopyWeight(DocumentCopy copy)
    {
        if (copy.Votes == 0)
        {
            return 0;
        }

        var length = copy.MatchLength;
        return Math.Max(0, length - 2) / (Math.Max(0, length - 2) + CopyHalfWeightLength);
    }

    // True (and the repetition removed) when the emitted tokens end with a repeated phrase (Repetition.OfPhrase).
    private bool RepeatsPhrase(int historyStart)
    {
        var tokens = Repetition.OfPhrase(CollectionsMarshal.AsSpan(_history), _history.Count - historyStart, _vocabulary);
        Drop(tokens);
        return tokens > 0;
    }

    // True (the line emitted since lineStartText removed) when the line being finished equals the line before it.
    private bool RepeatsPreviousLine(ReadOnlySpan<char> prefix, int lineStartText)
    {
        if (!Repetition.OfPreviousLine(prefix, _text.ToString()))
        {
            return false;
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
        _tables.Load(CollectionsMarshal.AsSpan(_history));
        _partialCandidates.Clear();
        var scanned = 0;
        foreach (var w in _vocabulary.StartingWith(partial[0]))
        {
            if (++scanned > MaxPrefixCandidates)
            {
                break;
            }

            if (_vocabulary.TextOf(w).AsSpan().StartsWith(partial, StringComparison.Ordinal))
            {
                _partialCandidates.Add(w);
            }
        }

        foreach (var w in _copy.NextVotes.Keys)
        {
            if (_vocabulary.TextOf(w).AsSpan().StartsWith(partial, StringComparison.Ordinal))
            {
                _partialCandidates.Add(w);
            }
        }

        _copy.CountNearby(_partialCandidates, _nearby);
        double ngramTotal = 0, copyTotal = 0, nearbyTotal = 0;
        foreach (var w in _partialCandidates)
        {
            ngramTotal += _tables.Probability(w);
            copyTotal += _copy.Probability(w);
            nearbyTotal += _nearby.GetValueOrDefault(w);
        }

        if (_partialCandidates.Count == 0 || ngramTotal <= 0)
        {
            // A word the model has never seen: it is complete as typed (nothing known extends it).
            _history.Add(_vocabulary.Find(partial));
            return true;
        }

        var copyShare = copyTotal > 0 ? CopyWeight() : 0;
        var nearbyShare = nearbyTotal > 0 ? NearbyWeight * (1 - copyShare) : 0;
        var ngramShare = 1 - copyShare - nearbyShare;
        var best = -1;
        var bestP = 0.0;
        foreach (var w in _partialCandidates)
        {
            var pw = (ngramShare * _tables.Probability(w) / ngramTotal)
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

        var text = _vocabulary.TextOf(best);
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
}
