using System.Text.Json;
using Code4me.Lsp.Core;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Feedback;

/// <summary>The editor's reports between the wire and Core: which query and model an item names, and a query's state.</summary>
internal static class FeedbackConversions
{
    /// <summary>The query and model of an item the server produced (its accept command's argument).</summary>
    public static (Guid QueryId, string Model) ToSuggestion(InlineCompletionItem item, string method) =>
        item.Command?.Arguments is [var argument, ..]
            ? ToSuggestion(argument, method)
            : throw new InvalidInputException($"{method}: the item has no code4me.acceptCompletion command with a queryId; send the item exactly as the server returned it.");

    /// <summary>
    /// The query and model of an accept command's argument. A query id that is not a UUID names no query the server
    /// answered: <see cref="Guid.Empty"/>, which the query book reports as unknown.
    /// </summary>
    public static (Guid QueryId, string Model) ToSuggestion(JsonElement argument, string method)
    {
        AcceptCompletionArguments arguments;
        try
        {
            arguments = argument.Deserialize(LspJson.TypeInfo<AcceptCompletionArguments>())
                ?? throw new InvalidInputException($"{method}: the command argument is null; expected {{ queryId, model }}.");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{method}: the command argument is not {{ queryId, model }}: {e.Message}", e);
        }

        return (Guid.TryParse(arguments.QueryId, out var id) ? id : Guid.Empty, arguments.Model);
    }

    public static Guid ToQueryId(string queryId) =>
        Guid.TryParse(queryId, out var id) ? id : throw new InvalidInputException($"'{queryId}' is not a completion query id (a UUID).");

    public static QueryState ToQueryState(string queryId, QueryFeedbackState state) => new()
    {
        QueryId = queryId,
        ShownCount = state.ShownCount,
        Accepted = state.AcceptedModel is not null,
        AcceptedModel = state.AcceptedModel,
        PartiallyAcceptedLength = state.PartiallyAcceptedLength,
        Rejected = state.Rejected,
        Models = [.. state.Models],
        FromCache = state.FromCache,
    };
}
