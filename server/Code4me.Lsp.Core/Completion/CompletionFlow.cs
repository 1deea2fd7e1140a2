using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Privacy;
using Code4me.Lsp.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// The inline-completion use case, top to bottom: begin the query (telemetry measured as the request arrives) → wait for
/// the user's typing rhythm (automatic requests only; a newer request for the document supersedes this one) → cut the
/// context → ask the models → let the editor's reports count → record the query once every model answered. The LSP
/// handler and the <c>complete</c> command both call it; neither knows these steps.
/// </summary>
public sealed class CompletionFlow(
    QueryRecorder recorder,
    CompletionService completions,
    CompletionScheduler scheduler,
    CompletionContextBuilder contextBuilder,
    DocumentActivity activity,
    SecretFileMatcher secretFiles,
    IOptionsMonitor<CompletionOptions> options,
    TimeProvider time)
{
    /// <summary>
    /// Answers <paramref name="request"/>. Invoked requests are answered at once and never superseded; automatic ones
    /// wait for the typing rhythm and answer <see cref="CompletionAnswer.None"/> when a newer request for the same document
    /// supersedes them. A secret file (.env, *.pem, id_rsa, …) is never sent to a model nor recorded.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the client's <c>$/cancelRequest</c>).</exception>
    public async Task<CompletionAnswer> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (document, offset, trigger, selectedText) = request;
        var automatic = trigger == CompletionTriggerKind.Automatic;
        if ((automatic && options.CurrentValue.ManualOnly) || secretFiles.IsSecret(document.Uri))
        {
            return CompletionAnswer.None;
        }

        // Contextual and behavioral telemetry are measured as the request arrives.
        var query = recorder.BeginQuery(document, offset, automatic ? CompletionTrigger.Auto : CompletionTrigger.Manual);
        var completed = false;
        using var scope = scheduler.Begin(document.Uri, supersedable: automatic, cancellationToken);
        try
        {
            if (automatic)
            {
                // On a blank line (right after Enter or `o`) the user is more likely to indent than to want code: a
                // suggestion comes only after a pause there, so a Tab pressed at once still indents.
                var pause = IsOnBlankLine(document, offset) ? Math.Max(options.CurrentValue.BlankLinePauseMs, activity.DebounceMs(document.Uri)) : activity.DebounceMs(document.Uri);
                await Task.Delay(TimeSpan.FromMilliseconds(pause), time, scope.Token);
            }

            var context = contextBuilder.Build(document, offset, trigger);
            // The rest needs no dispatch thread (the snapshot is immutable; the query book locks), so it goes on where the
            // models' answer arrived instead of queueing behind the dispatcher: one thread hop fewer per request.
            var outcome = await completions.CompleteAsync(context, scope.Token).ConfigureAwait(false);
            // Feedback counts from now on; the query is recorded off the request path once every model answered
            // (FirstToAnswer returns before the slower ones), with the other files whose text went into the prompt.
            recorder.AnswerQuery(query, outcome.Generations, fromCache: outcome.CachedFromQueryId is not null);
            var promptFiles = options.CurrentValue.EffectiveModels().Any(m => m.Kind != CompletionModelKind.Offline) ? context.OtherDocuments : null;
            recorder.CompleteQueryLater(query, new CompletionContextText(context.Prefix, context.Suffix, selectedText), outcome.AllGenerations, promptFiles);
            completed = true;
            return new CompletionAnswer(query.QueryId, outcome);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Superseded by a newer request for this document: nothing to show for the old position.
            return CompletionAnswer.None;
        }
        finally
        {
            if (!completed)
            {
                recorder.CancelQuery(query);
            }
        }
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
}
