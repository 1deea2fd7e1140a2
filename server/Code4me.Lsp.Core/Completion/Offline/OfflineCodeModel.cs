using System.Diagnostics.CodeAnalysis;

namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>
/// The offline default model: one <see cref="NGramModel"/> per language, trained on the open documents
/// as they change and on the workspace's files. Thread-safe; each language has its own lock, so indexing
/// one language never blocks completions in another, and an update holds the lock only for its delta.
/// </summary>
public sealed class OfflineCodeModel
{
    private readonly OfflineModelOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, NGramModel> _languages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TrackedDocument> _documents = new(StringComparer.Ordinal);

    // Documents counted but not tracked (closed, or read by the workspace indexer): a fingerprint of the
    // counted text lets a later didOpen of the same text adopt it instead of counting it twice.
    private readonly Dictionary<string, (string LanguageId, int Length, int Hash)> _untracked = new(StringComparer.Ordinal);
    private int _prunings;

    public OfflineCodeModel(OfflineModelOptions options) => _options = options;

    /// <summary>
    /// Observes the full current text of a document: counts it the first time, and afterwards applies only
    /// the difference from the previous version (call it from didOpen and after each didChange).
    /// </summary>
    public void Observe(string documentKey, string languageId, string text)
    {
        ArgumentNullException.ThrowIfNull(documentKey);
        ArgumentNullException.ThrowIfNull(text);
        var language = Normalize(languageId);
        TrackedDocument? previous;
        TrackedDocument document;
        bool adopt;
        lock (_gate)
        {
            _documents.TryGetValue(documentKey, out previous);
            adopt = previous is null && _untracked.Remove(documentKey, out var fingerprint)
                && fingerprint.LanguageId == language && fingerprint.Length == text.Length
                && fingerprint.Hash == string.GetHashCode(text, StringComparison.Ordinal);
            if (previous is not null && previous.LanguageId == language)
            {
                document = previous;
            }
            else
            {
                document = new TrackedDocument(language);
                _documents[documentKey] = document;
            }
        }

        if (previous is not null && previous != document)
        {
            var oldModel = ModelFor(previous.LanguageId);
            lock (oldModel)
            {
                oldModel.RemoveDocument(previous);
            }
        }

        var model = ModelFor(language);
        lock (model)
        {
            if (document == previous)
            {
                model.UpdateDocument(document, text);
            }
            else if (adopt)
            {
                model.AdoptDocument(document, text);
            }
            else
            {
                model.AddDocument(document, text);
            }
        }

        EnforceCap();
    }

    /// <summary>
    /// Counts a file read from disk without tracking it (the workspace indexer). Returns false when the
    /// document is already known (open or indexed), so it is never counted twice.
    /// </summary>
    public bool ObserveUntracked(string documentKey, string languageId, string text)
    {
        var language = Normalize(languageId);
        lock (_gate)
        {
            if (_documents.ContainsKey(documentKey) || _untracked.ContainsKey(documentKey))
            {
                return false;
            }

            _untracked[documentKey] = (language, text.Length, string.GetHashCode(text, StringComparison.Ordinal));
        }

        var model = ModelFor(language);
        var scratch = new TrackedDocument(language);
        lock (model)
        {
            model.AddDocument(scratch, text);
            model.Lines.Add(text);
        }

        EnforceCap();
        return true;
    }

    /// <summary>Stops tracking a closed document; what it taught the model stays.</summary>
    public void Close(string documentKey)
    {
        lock (_gate)
        {
            if (_documents.Remove(documentKey, out var document))
            {
                _untracked[documentKey] = (document.LanguageId, document.Text.Length, string.GetHashCode(document.Text, StringComparison.Ordinal));
            }
        }
    }

    /// <summary>Memory held by the model.</summary>
    public OfflineModelMemory GetMemory()
    {
        NGramModel[] models;
        TrackedDocument[] documents;
        lock (_gate)
        {
            models = [.. _languages.Values];
            documents = [.. _documents.Values];
        }

        long entries = 0, vocabulary = 0, bytes = 0;
        foreach (var model in models)
        {
            lock (model)
            {
                entries += model.Entries;
                vocabulary += model.Vocabulary.RealCount;
                bytes += model.ApproximateBytes + model.Lines.ApproximateBytes;
            }
        }

        foreach (var document in documents)
        {
            bytes += document.ApproximateBytes;
        }

        return new OfflineModelMemory(models.Length, entries, vocabulary, documents.Length, bytes, Volatile.Read(ref _prunings));
    }

    /// <summary>Greedy completion at the end of <paramref name="prefix"/>, without a document of its own.</summary>
    internal RawGeneration Generate(string languageId, string prefix, bool multiLine) => Generate("", languageId, prefix, multiLine);

    /// <summary>
    /// Greedy completion at the end of <paramref name="prefix"/> in the document <paramref name="documentKey"/>: the n-gram
    /// tables mixed with copying from the document itself. What the caret's line holds from the caret on (the word being
    /// typed included) is taken out of the tables for the decode and is never copied. Nothing is offered when the model's
    /// probability that the first characters are right is under <see cref="OfflineModelOptions.MinConfidence"/>.
    /// </summary>
    internal RawGeneration Generate(string documentKey, string languageId, string prefix, bool multiLine, int prefixOffset = 0)
    {
        var (generation, confidence) = GenerateWithConfidence(documentKey, languageId, prefix, multiLine, prefixOffset);
        return confidence < _options.MinConfidence ? new RawGeneration("", [], CompletionTokens: 0) : generation;
    }

    /// <summary>The generation before the confidence threshold, and the model's probability that its first characters are right.</summary>
    internal (RawGeneration Generation, double Confidence) GenerateWithConfidence(string documentKey, string languageId, string prefix, bool multiLine, int prefixOffset = 0)
    {
        var language = Normalize(languageId);
        if (!TryGetModel(language, out var model))
        {
            return (new RawGeneration("", []), 0);
        }

        TrackedDocument? document;
        lock (_gate)
        {
            _documents.TryGetValue(documentKey, out document);
        }

        if (document is not null && document.LanguageId != language)
        {
            document = null;
        }

        var settings = new DecodeSettings(multiLine, _options.MaxTokens, _options.MaxLines, _options.MinTokenProbability);
        RawGeneration generation;
        double confidence;
        lock (model)
        {
            var (from, to) = document is null ? (0, 0) : CaretTokens(document, prefix, prefixOffset);
            if (from < to)
            {
                model.Exclude(document!, from, to);
            }

            try
            {
                generation = model.Generate(prefix, Math.Max(64, _options.MaxPrefixChars), settings, document?.Ids, from, to, out confidence);
            }
            finally
            {
                if (from < to)
                {
                    model.Restore(document!, from, to);
                }
            }
        }

        return (generation, confidence);
    }

    // The tokens of the document from the start of the word at the caret to the end of the caret's line; (n, n) when the
    // caret is not found in the document's last observed text (the copy component then reads all of it). The caret is
    // looked for where the prefix says it is, then anywhere (the document may have been observed before the last edit).
    private static (int From, int To) CaretTokens(TrackedDocument document, string prefix, int prefixOffset)
    {
        var text = document.Text;
        var wordStart = prefix.Length;
        while (wordStart > 0 && CodeTokenizer.IsIdentifierPart(prefix[wordStart - 1]))
        {
            wordStart--;
        }

        var anchor = prefix.AsSpan(Math.Max(0, wordStart - 256), Math.Min(wordStart, 256));
        int at;
        if (prefixOffset + wordStart <= text.Length && text.AsSpan(0, prefixOffset + wordStart).EndsWith(anchor))
        {
            at = prefixOffset + wordStart;
        }
        else
        {
            at = anchor.IsEmpty ? -1 : text.AsSpan().IndexOf(anchor);
            at = at < 0 ? -1 : at + anchor.Length;
        }

        var ids = document.Ids;
        if (at < 0)
        {
            return (ids.Count, ids.Count);
        }

        var lineEnd = text.IndexOf('\n', at);
        lineEnd = lineEnd < 0 ? text.Length : lineEnd;
        var from = LowerBound(document.Starts, at);
        var to = LowerBound(document.Starts, lineEnd);
        return (from, to);
    }

    private static int LowerBound(List<int> sorted, int value)
    {
        var index = sorted.BinarySearch(value);
        return index >= 0 ? index : ~index;
    }

    /// <summary>P(token | tokens of <paramref name="history"/>), and P(unknown | history); for tests.</summary>
    internal (double Token, double Sum) ProbabilityAndTotal(string languageId, string history, string token)
    {
        if (!TryGetModel(Normalize(languageId), out var model))
        {
            return (0, 0);
        }

        lock (model)
        {
            var ids = CodeTokenizer.Split(history).Select(t => model.Vocabulary.Find(t)).ToArray();
            var total = model.UnknownProbability(ids);
            for (var id = 2; id < model.Vocabulary.RealCount + 2; id++)
            {
                total += model.Probability(ids, id);
            }

            return (model.Probability(ids, model.Vocabulary.Find(token)), total);
        }
    }

    private NGramModel ModelFor(string language)
    {
        lock (_gate)
        {
            if (!_languages.TryGetValue(language, out var model))
            {
                model = new NGramModel(_options.Order, _options.Discount);
                _languages.Add(language, model);
            }

            return model;
        }
    }

    private bool TryGetModel(string language, [NotNullWhen(true)] out NGramModel? model)
    {
        lock (_gate)
        {
            return _languages.TryGetValue(language, out model);
        }
    }

    private void EnforceCap()
    {
        NGramModel[] models;
        lock (_gate)
        {
            models = [.. _languages.Values];
        }

        long Total()
        {
            long n = 0;
            foreach (var model in models)
            {
                lock (model)
                {
                    n += model.Entries;
                }
            }

            return n;
        }

        var cap = Math.Max(1000, _options.MaxEntries);
        if (Total() <= cap)
        {
            return;
        }

        Interlocked.Increment(ref _prunings);
        var target = cap * 3L / 4;
        for (var threshold = 1; threshold < int.MaxValue && Total() > target; threshold *= 2)
        {
            foreach (var model in models)
            {
                lock (model)
                {
                    model.Prune(threshold);
                }
            }
        }
    }

    private static string Normalize(string? languageId) => string.IsNullOrWhiteSpace(languageId) ? "plaintext" : languageId.Trim().ToLowerInvariant();
}
