using System.Runtime.InteropServices;
using System.Text;

namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>
/// Scores a given line as a whole under the decoder's mixture of the n-gram tables and the copy component: the
/// probability of each of its tokens after the ones before it, and that of a line break after the last. Lets the decoder
/// weigh a line it did not decode (the retrieved one) against the line it did. Not thread-safe: the model's owner locks it.
/// </summary>
internal sealed class LineScorer(GramTables tables, Vocabulary vocabulary, DocumentCopy copy)
{
    private readonly List<(int Start, int Length)> _spans = [];
    private readonly List<int> _candidates = [];
    private readonly HashSet<int> _seen = [];

    /// <summary>The natural-log probability of each token of the last scored line.</summary>
    public List<double> Logprobs { get; } = [];

    /// <summary>Where each token of the last scored line ends in it.</summary>
    public List<int> TokenEnds { get; } = [];

    /// <summary>
    /// The natural-log probability of <paramref name="line"/> followed by a line break, after <paramref name="history"/>
    /// (to which its tokens are appended, the copy component advanced over them; it must match the history). Stops, with
    /// negative infinity, once the score falls below <paramref name="floor"/>.
    /// </summary>
    public double Score(string line, List<int> history, double floor, out double endProbability)
    {
        endProbability = 0;
        Logprobs.Clear();
        TokenEnds.Clear();
        _spans.Clear();
        CodeTokenizer.Tokenize(line, 0, _spans);
        var score = 0.0;
        foreach (var (start, length) in _spans)
        {
            var id = vocabulary.Find(line.AsSpan(start, length));
            var logp = Math.Log(Math.Max(Mixture(history, id), 1e-12));
            score += logp;
            Logprobs.Add(logp);
            TokenEnds.Add(start + length);
            history.Add(id);
            copy.Advance(id, CollectionsMarshal.AsSpan(history));
            if (score < floor)
            {
                return double.NegativeInfinity;
            }
        }

        tables.Load(CollectionsMarshal.AsSpan(history));
        tables.GatherCandidates(_candidates, _seen);
        foreach (var w in copy.NextVotes.Keys)
        {
            if (_seen.Add(w))
            {
                _candidates.Add(w);
            }
        }

        var copyWeight = NGramDecoder.CopyWeight(copy);
        foreach (var w in _candidates)
        {
            if (CodeTokenizer.IsNewline(vocabulary.TextOf(w)))
            {
                endProbability += NGramDecoder.Mixture(tables, copy, copyWeight, w);
            }
        }

        return endProbability > 0 ? score + Math.Log(endProbability) : double.NegativeInfinity;
    }

    /// <summary>
    /// Replaces what the decode emitted after its first <paramref name="offset"/> characters (none, or its first token) by
    /// <paramref name="rest"/> when <see cref="Score"/> puts that above <paramref name="floor"/>, the score of what it
    /// replaces; <paramref name="carry"/> joins the first new token's log probability.
    /// </summary>
    public bool Adopt(string rest, int offset, double carry, double floor, StringBuilder text, List<double> logprobs, List<int> tokenEnds, List<int> history, out double endProbability)
    {
        if (!(Score(rest, history, floor, out endProbability) > floor))
        {
            return false;
        }

        var keep = offset > 0 ? 1 : 0;
        text.Length = offset;
        text.Append(rest);
        logprobs.RemoveRange(keep, logprobs.Count - keep);
        tokenEnds.RemoveRange(keep, tokenEnds.Count - keep);
        for (var j = 0; j < Logprobs.Count; j++)
        {
            logprobs.Add(Logprobs[j] + (j == 0 ? carry : 0));
            tokenEnds.Add(offset + TokenEnds[j]);
        }

        return true;
    }

    private double Mixture(List<int> history, int token)
    {
        tables.Load(CollectionsMarshal.AsSpan(history));
        return NGramDecoder.Mixture(tables, copy, NGramDecoder.CopyWeight(copy), token);
    }
}
