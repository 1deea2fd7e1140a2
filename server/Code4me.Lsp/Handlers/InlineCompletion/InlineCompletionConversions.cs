using System.Text.Json;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.InlineCompletion;

/// <summary>Inline completion between the wire and Core: the request to a <see cref="CompletionRequest"/>, the answer to items.</summary>
internal static class InlineCompletionConversions
{
    public const string AcceptCommand = "code4me.acceptCompletion";

    private static readonly InlineCompletionList s_empty = new() { Items = [] };

    public static CompletionRequest ToCompletionRequest(InlineCompletionParams request, TextDocument document, PositionEncoding encoding) => new(
        document,
        ProtocolConversions.ToOffset(document, request.Position, encoding),
        request.Context.TriggerKind == InlineCompletionTriggerKind.Invoked ? CompletionTriggerKind.Invoked : CompletionTriggerKind.Automatic,
        // selected_text: the completion-list item the editor had selected (LSP sends no editor selection with this request).
        request.Context.SelectedCompletionInfo?.Text);

    /// <summary>The chosen generation first, then every other model's different answer, for next / previous.</summary>
    public static InlineCompletionList ToInlineCompletionList(CompletionAnswer answer, CompletionRequest request, SelectedCompletionInfo? selected, PositionEncoding encoding)
    {
        if (answer.Alternatives.Count == 0)
        {
            return s_empty;
        }

        var caret = ProtocolConversions.ToPosition(request.Document, request.Offset, encoding);
        return new InlineCompletionList { Items = [.. answer.Alternatives.Select(g => Item(request, g, answer.QueryId, caret, selected, encoding))] };
    }

    private static InlineCompletionItem Item(CompletionRequest request, ModelGeneration generation, Guid queryId, Position caret, SelectedCompletionInfo? selected, PositionEncoding encoding)
    {
        var (start, insertText) = OverSelectedItem(request.Document, request.Offset, generation.Completion, selected, encoding);
        return new()
        {
            InsertText = insertText,
            Range = new Protocol.Range { Start = start == request.Offset ? caret : ProtocolConversions.ToPosition(request.Document, start, encoding), End = caret },
            Command = new Command
            {
                Title = "Accept Code4me completion",
                CommandIdentifier = AcceptCommand,
                Arguments =
                [
                    JsonSerializer.SerializeToElement(
                        new AcceptCompletionArguments { QueryId = queryId.ToString(), Model = generation.ModelName },
                        LspJson.TypeInfo<AcceptCompletionArguments>()),
                ],
            },
        };
    }

    /// <summary>
    /// LSP 3.18 <c>selectedCompletionInfo</c>: while the editor's completion list is open, an item is shown only if it
    /// extends the selected item's text over the selected item's range. When the suggestion inserted at the caret does
    /// (the typed start of the word plus the suggestion begins with the selected text), it is answered over that range;
    /// otherwise as it is, at the caret, for the editor to show once the list closes.
    /// </summary>
    private static (int Start, string InsertText) OverSelectedItem(TextDocument document, int offset, string completion, SelectedCompletionInfo? selected, PositionEncoding encoding)
    {
        if (selected is null)
        {
            return (offset, completion);
        }

        var start = ProtocolConversions.ToOffset(document, selected.Range.Start, encoding);
        var end = ProtocolConversions.ToOffset(document, selected.Range.End, encoding);
        if (start > offset || end != offset)
        {
            return (offset, completion);
        }

        var extended = document.Text.GetText(start, offset - start) + completion;
        return extended.StartsWith(selected.Text, StringComparison.Ordinal) && extended.Length > selected.Text.Length
            ? (start, extended)
            : (offset, completion);
    }
}
