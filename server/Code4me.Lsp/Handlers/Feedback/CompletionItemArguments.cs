using System.Text.Json;
using Code4me.Lsp.Core;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Feedback;

/// <summary>Reads the query id and model back out of an item the server produced (its accept command's argument).</summary>
internal static class CompletionItemArguments
{
    public static AcceptCompletionArguments From(InlineCompletionItem item, string method) =>
        item.Command?.Arguments is [var argument, ..]
            ? Parse(argument, method)
            : throw new InvalidInputException($"{method}: the item has no code4me.acceptCompletion command with a queryId; send the item exactly as the server returned it.");

    public static AcceptCompletionArguments Parse(JsonElement argument, string method)
    {
        try
        {
            return argument.Deserialize(LspJson.TypeInfo<AcceptCompletionArguments>())
                ?? throw new InvalidInputException($"{method}: the command argument is null; expected {{ queryId, model }}.");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{method}: the command argument is not {{ queryId, model }}: {e.Message}", e);
        }
    }
}
