using System.Collections.Concurrent;

namespace Code4me.Lsp.Core.Documents;

/// <summary>
/// The open documents. Mutations come from the LSP dispatch path in arrival order; reads return
/// immutable snapshots and may happen on any thread.
/// </summary>
public sealed class DocumentStore(IEnumerable<IDocumentObserver> observers)
{
    private readonly ConcurrentDictionary<string, TextDocument> _documents = new(StringComparer.Ordinal);
    private readonly IDocumentObserver[] _observers = [.. observers];

    public int Count => _documents.Count;

    /// <summary>Snapshots of all open documents.</summary>
    public IReadOnlyCollection<TextDocument> All => [.. _documents.Values];

    /// <summary>Opens a document; one longer than <paramref name="maxChars"/> UTF-16 units is refused.</summary>
    public void Open(string uri, string languageId, int version, string text, int maxChars = int.MaxValue)
    {
        if (text.Length > maxChars)
        {
            throw TooLarge($"{uri} was not opened", text.Length, maxChars);
        }

        var document = new TextDocument(uri, languageId, version, Rope.FromString(text));
        _documents[uri] = document;
        foreach (var observer in _observers)
        {
            observer.Opened(document);
        }
    }

    /// <summary>
    /// Applies a list of changes atomically: each is relative to the text left by the previous one;
    /// if any is invalid, none is applied and the error says which. The version must be above the current one, and the
    /// document may not grow past <paramref name="maxChars"/> UTF-16 units.
    /// </summary>
    public TextDocument Change(string uri, int version, IReadOnlyList<DocumentChange> changes, PositionEncoding encoding, int maxChars = int.MaxValue)
    {
        var before = Get(uri);
        if (version <= before.Version)
        {
            throw new InvalidInputException($"The change to {uri} was not applied: its version {version} is not above the current version {before.Version} (versions must increase).");
        }

        var current = before;
        var edits = new List<TextEdit>(changes.Count);
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            if (change.Range is not { } range)
            {
                if (change.Text.Length > maxChars)
                {
                    throw TooLarge($"Change {i + 1} of {changes.Count} to {uri} was not applied (nor were the others)", change.Text.Length, maxChars);
                }

                edits.Add(new TextEdit(0, current.Text.Length, change.Text));
                current = current.With(Rope.FromString(change.Text), version);
                continue;
            }

            int start, end;
            try
            {
                start = current.GetOffset(range.StartLine, range.StartCharacter, encoding);
                end = current.GetOffset(range.EndLine, range.EndCharacter, encoding);
            }
            catch (InvalidInputException e)
            {
                throw new InvalidInputException($"Change {i + 1} of {changes.Count} to {uri} was not applied (nor were the others): {e.Message}", e);
            }

            if (end < start)
            {
                throw new InvalidInputException($"Change {i + 1} of {changes.Count} to {uri} has its end {range.EndLine}:{range.EndCharacter} before its start {range.StartLine}:{range.StartCharacter}; no change was applied.");
            }

            var length = (long)current.Text.Length - (end - start) + change.Text.Length;
            if (length > maxChars)
            {
                throw TooLarge($"Change {i + 1} of {changes.Count} to {uri} was not applied (nor were the others)", length, maxChars);
            }

            edits.Add(new TextEdit(start, end - start, change.Text));
            current = current.With(current.Text.Replace(start, end - start, change.Text), version);
        }

        _documents[uri] = current;
        foreach (var observer in _observers)
        {
            observer.Changed(before, current, edits);
        }

        return current;
    }

    public void Close(string uri)
    {
        if (!_documents.TryRemove(uri, out var document))
        {
            throw UnknownDocument(uri);
        }

        foreach (var observer in _observers)
        {
            observer.Closed(document);
        }
    }

    /// <summary>The current snapshot of an open document.</summary>
    public TextDocument Get(string uri) =>
        _documents.TryGetValue(uri, out var document) ? document : throw UnknownDocument(uri);

    public bool TryGet(string uri, out TextDocument? document) => _documents.TryGetValue(uri, out document);

    private static InvalidInputException TooLarge(string what, long length, int maxChars) =>
        new($"{what}: the document would be {length} characters, more than the limit of {maxChars} (setting Code4me:Limits:MaxDocumentChars).");

    private static InvalidInputException UnknownDocument(string uri) =>
        new($"Unknown document {uri}: it was never opened with textDocument/didOpen, or it was closed.");
}
