using System.Text.Json;
using Code4me.Lsp.Core;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Handlers.InlineCompletion;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Feedback;

/// <summary><c>workspace/executeCommand</c>: <c>code4me.acceptCompletion</c>, run by the editor when the user accepts a suggestion.</summary>
internal sealed class ExecuteCommandHandler(CompletionLedger ledger) : IRequestHandler<ExecuteCommandParams, JsonElement?>
{
    public static readonly string[] Commands = [InlineCompletionHandler.AcceptCommand];

    public Task<JsonElement?> HandleAsync(ExecuteCommandParams request, CancellationToken cancellationToken)
    {
        if (request.CommandIdentifier != InlineCompletionHandler.AcceptCommand)
        {
            throw new InvalidInputException($"Unknown command '{request.CommandIdentifier}'; this server executes: {string.Join(", ", Commands)}.");
        }

        if (request.Arguments is not [var argument])
        {
            throw new InvalidInputException($"{InlineCompletionHandler.AcceptCommand} takes exactly one argument {{ queryId, model }}; got {request.Arguments?.Length ?? 0}.");
        }

        var accepted = CompletionItemArguments.Parse(argument, InlineCompletionHandler.AcceptCommand);
        ledger.Accepted(accepted.QueryId, accepted.Model);
        return Task.FromResult<JsonElement?>(null);
    }
}
