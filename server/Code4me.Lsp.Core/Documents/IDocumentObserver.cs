namespace Code4me.Lsp.Core.Documents;

/// <summary>
/// Told of every document event after the store has applied it: the offline model learns from it and
/// telemetry follows suggestions through it. Called synchronously on the dispatch path, so an observer
/// only updates in-memory state or enqueues work; it never blocks and never awaits.
/// </summary>
public interface IDocumentObserver
{
    void Opened(TextDocument document);

    /// <summary>The edits are in the order applied, each in offsets of the text it applied to.</summary>
    void Changed(TextDocument before, TextDocument after, IReadOnlyList<TextEdit> edits);

    void Closed(TextDocument document);
}
