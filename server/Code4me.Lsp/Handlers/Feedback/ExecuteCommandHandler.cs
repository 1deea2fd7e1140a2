using System.Text.Json;
using Code4me.Lsp.Core;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Handlers.InlineCompletion;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Code4me.Lsp.Storage.Spool;

namespace Code4me.Lsp.Handlers.Feedback;

/// <summary>
/// <c>workspace/executeCommand</c>: <c>code4me.acceptCompletion</c>, run by the editor when the user accepts a suggestion.
/// Answered once the acceptance is durable: its query (held back until every model answered) and the acceptance are
/// fsync'd in the spool, so an acknowledged accept survives a crash of the server that follows at once.
/// </summary>
internal sealed class ExecuteCommandHandler(QueryFeedback feedback, QueryRecorder recorder, TelemetryPipeline pipeline)
    : IRequestHandler<ExecuteCommandParams, JsonElement?>
{
    public static readonly string[] Commands = [InlineCompletionHandler.AcceptCommand];

    public async Task<JsonElement?> HandleAsync(ExecuteCommandParams request, CancellationToken cancellationToken)
    {
        if (request.CommandIdentifier != InlineCompletionHandler.AcceptCommand)
        {
            throw new InvalidInputException($"Unknown command '{request.CommandIdentifier}'; this server executes: {string.Join(", ", Commands)}.");
        }

        if (request.Arguments is not [var argument])
        {
            throw new InvalidInputException($"{InlineCompletionHandler.AcceptCommand} takes exactly one argument {{ queryId, model }}; got {request.Arguments?.Length ?? 0}.");
        }

        var (queryId, model) = FeedbackConversions.ToSuggestion(argument, InlineCompletionHandler.AcceptCommand);
        feedback.Accepted(queryId, model);
        await recorder.WhenRecordedAsync(cancellationToken);   // the acceptance is enqueued right after its query
        await pipeline.SpoolQueuedAsync(cancellationToken);
        return null;
    }
}
