using System.Text.Json;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Privacy;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Handlers.InlineCompletion;

/// <summary>
/// <c>textDocument/inlineCompletion</c>: invoked triggers are answered at once and never superseded; automatic ones wait
/// for the user's typing rhythm (adaptive debounce) and give way to a newer request for the same document.
/// Each item carries the <c>code4me.acceptCompletion</c> command with its query and model.
/// </summary>
internal sealed class InlineCompletionHandler(
    DocumentStore documents,
    Rpc.Lifecycle lifecycle,
    CompletionService completions,
    DocumentActivity activity,
    CompletionScheduler scheduler,
    CompletionContextBuilder contextBuilder,
    CompletionLedger ledger,
    CompletionTracker tracker,
    SecretFileMatcher secretFiles,
    IOptionsMonitor<CompletionOptions> options,
    TimeProvider time) : IRequestHandler<InlineCompletionParams, InlineCompletionList>
{
    public const string AcceptCommand = "code4me.acceptCompletion";

    private static readonly InlineCompletionList s_empty = new() { Items = [] };

    public async Task<InlineCompletionList> HandleAsync(InlineCompletionParams request, CancellationToken cancellationToken)
    {
        // Snapshot before the first await: later edits do not move this request's position.
        var document = documents.Get(request.TextDocument.Uri);
        var offset = ProtocolConversions.ToOffset(document, request.Position, lifecycle.PositionEncoding);
        var trigger = request.Context.TriggerKind == InlineCompletionTriggerKind.Invoked ? CompletionTriggerKind.Invoked : CompletionTriggerKind.Automatic;
        // A secret file (.env, *.pem, id_rsa, …) is never sent to a model nor recorded.
        if ((trigger == CompletionTriggerKind.Automatic && options.CurrentValue.ManualOnly) || secretFiles.IsSecret(document.Uri))
        {
            return s_empty;
        }

        // Contextual and behavioral telemetry are measured as the request arrives.
        var query = tracker.BeginQuery(document, offset, trigger == CompletionTriggerKind.Invoked ? CompletionTrigger.Manual : CompletionTrigger.Auto);
        var completed = false;
        using var scope = scheduler.Begin(document.Uri, supersedable: trigger == CompletionTriggerKind.Automatic, cancellationToken);
        try
        {
            if (trigger == CompletionTriggerKind.Automatic)
            {
                // On a blank line (right after Enter or `o`) the user is more likely to indent than to want code: a
                // suggestion comes only after a pause there, so a Tab pressed at once still indents.
                var pause = IsOnBlankLine(document, offset) ? Math.Max(options.CurrentValue.BlankLinePauseMs, activity.DebounceMs(document.Uri)) : activity.DebounceMs(document.Uri);
                await Task.Delay(TimeSpan.FromMilliseconds(pause), time, scope.Token);
            }

            var context = contextBuilder.Build(document, offset, trigger);
            // The rest needs no dispatch thread (the snapshot is immutable; ledger and tracker lock), so it goes on where
            // the models' answer arrived instead of queueing behind the dispatcher: one thread hop fewer per request.
            var outcome = await completions.CompleteAsync(context, scope.Token).ConfigureAwait(false);
            // Feedback counts from now on; the query is recorded off the request path once every model answered
            // (FirstToAnswer returns before the slower ones), with the other files whose text went into the prompt.
            tracker.AnswerQuery(query, [.. outcome.Generations.Select(ToResult)]);
            ledger.Add(query.QueryId, document.Uri, offset, context, outcome);
            var promptFiles = options.CurrentValue.EffectiveModels().Any(m => m.Kind != CompletionModelKind.Offline) ? context.OtherDocuments : null;
            // selected_text: the completion-list item the editor had selected (LSP sends no editor selection with this request).
            var selected = request.Context.SelectedCompletionInfo?.Text;
            tracker.CompleteQueryLater(query, new CompletionContextText(context.Prefix, context.Suffix, selected), ResultsAsync(outcome.AllGenerations), promptFiles);
            completed = true;
            // The chosen generation first, then every other model's different answer, for next / previous.
            var caret = ProtocolConversions.ToPosition(document, offset, lifecycle.PositionEncoding);
            var selectedItem = request.Context.SelectedCompletionInfo;
            return new InlineCompletionList { Items = [.. outcome.Alternatives.Select(g => Item(document, offset, g, query.QueryId, caret, selectedItem))] };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Superseded by a newer request for this document: nothing to show for the old position.
            return s_empty;
        }
        finally
        {
            if (!completed)
            {
                tracker.CancelQuery(query);
            }
        }
    }

    /// <summary>
    /// LSP 3.18 <c>selectedCompletionInfo</c>: while the editor's completion list is open, an item is shown only if it
    /// extends the selected item's text over the selected item's range. When the suggestion inserted at the caret does
    /// (the typed start of the word plus the suggestion begins with the selected text), it is answered over that range;
    /// otherwise as it is, at the caret, for the editor to show once the list closes.
    /// </summary>
    private (int Start, string InsertText) OverSelectedItem(TextDocument document, int offset, string completion, SelectedCompletionInfo? selected)
    {
        if (selected is null)
        {
            return (offset, completion);
        }

        var start = ProtocolConversions.ToOffset(document, selected.Range.Start, lifecycle.PositionEncoding);
        var end = ProtocolConversions.ToOffset(document, selected.Range.End, lifecycle.PositionEncoding);
        if (start > offset || end != offset)
        {
            return (offset, completion);
        }

        var extended = document.Text.GetText(start, offset - start) + completion;
        return extended.StartsWith(selected.Text, StringComparison.Ordinal) && extended.Length > selected.Text.Length
            ? (start, extended)
            : (offset, completion);
    }

    private InlineCompletionItem Item(TextDocument document, int offset, ModelGeneration generation, Guid queryId, Position caret, SelectedCompletionInfo? selected)
    {
        var (start, insertText) = OverSelectedItem(document, offset, generation.Completion, selected);
        return new()
        {
            InsertText = insertText,
            Range = new Protocol.Range { Start = start == offset ? caret : ProtocolConversions.ToPosition(document, start, lifecycle.PositionEncoding), End = caret },
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

    /// <summary>True when the caret's line holds nothing but whitespace (the caret may sit in its indentation).</summary>
    private static bool IsOnBlankLine(TextDocument document, int offset)
    {
        var text = document.Text;
        var line = text.GetLineOfOffset(offset);
        var start = text.GetLineStart(line);
        var end = text.GetLineEnd(line);
        if (end - start > 1_000)
        {
            return false;   // no indentation is this deep; not worth reading
        }

        for (var i = start; i < end; i++)
        {
            if (!char.IsWhiteSpace(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<IReadOnlyList<GenerationResult>> ResultsAsync(Task<IReadOnlyList<ModelGeneration>> all) =>
        [.. (await all.ConfigureAwait(false)).Select(ToResult)];

    private static GenerationResult ToResult(ModelGeneration generation) =>
        new(generation.ModelName, generation.Completion, (int)Math.Round(generation.GenerationTimeMs), generation.Confidence, generation.Logprobs,
            generation.PromptTokens, generation.CompletionTokens);
}
