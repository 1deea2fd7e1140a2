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
                bytes += model.ApproximateBytes;
            }
        }

        foreach (var document in documents)
        {
            bytes += document.ApproximateBytes;
        }

        return new OfflineModelMemory(models.Length, entries, vocabulary, documents.Length, bytes, Volatile.Read(ref _prunings));
    }

    /// <summary>Greedy completion at the end of <paramref name="prefix"/>.</summary>
    internal RawGeneration Generate(string languageId, string prefix, bool multiLine)
    {
        if (!TryGetModel(Normalize(languageId), out var model))
        {
            return new RawGeneration("", []);
        }

        var settings = new DecodeSettings(multiLine, _options.MaxTokens, _options.MaxLines, _options.MinTokenProbability);
        lock (model)
        {
            return model.Generate(prefix, Math.Max(64, _options.MaxPrefixChars), settings);
        }
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
