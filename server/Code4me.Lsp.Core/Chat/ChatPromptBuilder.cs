using System.Text;
using Code4me.Lsp.Core.Privacy;
using Microsoft.Extensions.AI;

namespace Code4me.Lsp.Core.Chat;

/// <summary>
/// Builds the prompt: the system prompt with the code context (selection, current file, other open files within
/// their budgets), then as many of the latest earlier exchanges as fit the context window (less the reply's
/// <see cref="ChatOptions.MaxTokens"/>), then the new message. Older turns that do not fit are dropped and returned, so
/// the caller can summarise them (<see cref="WithSummary"/>) and record the optimisation.
/// </summary>
public static class ChatPromptBuilder
{
    /// <summary>The estimate used when the provider reports no usage: about four characters per token.</summary>
    public static int EstimateTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return (text.Length + 3) / 4;
    }

    /// <summary>
    /// The prompt for <paramref name="message"/> in a chat with <paramref name="systemPrompt"/> and a window of
    /// <paramref name="contextWindowTokens"/>. When not every earlier turn fits, <paramref name="reserveTokens"/> more
    /// are kept free (for a summary of the turns left out).
    /// </summary>
    public static ChatPrompt Build(
        ChatOptions options, string systemPrompt, int contextWindowTokens, ChatCodeContext? code, IReadOnlyList<ChatExchange> history, string message, int reserveTokens = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(history);
        var system = new ChatMessage(ChatRole.System, SystemText(options, systemPrompt, code));
        var user = new ChatMessage(ChatRole.User, Outgoing(options, message));
        var budget = contextWindowTokens - options.MaxTokens;
        var fixedCost = EstimateTokens(system.Text) + EstimateTokens(message);
        var before = fixedCost + history.Sum(TurnTokens);

        var (kept, used) = Keep(history, fixedCost, budget);
        if (kept.Count < history.Count && reserveTokens > 0)
        {
            (kept, used) = Keep(history, fixedCost, budget - reserveTokens);
        }

        var messages = new List<ChatMessage> { system };
        foreach (var turn in kept)
        {
            messages.Add(new ChatMessage(ChatRole.User, Outgoing(options, turn.Message)));
            if (turn.Reply.Length > 0)
            {
                messages.Add(new ChatMessage(ChatRole.Assistant, turn.Reply));
            }
        }

        messages.Add(user);
        return new ChatPrompt(messages, used, [.. history.Take(history.Count - kept.Count)], before);
    }

    /// <summary>The prompt with a summary of the turns left out, as a system message after the first one.</summary>
    public static ChatPrompt WithSummary(ChatPrompt prompt, string summary)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var note = new ChatMessage(ChatRole.System, SummaryPrefix + summary);
        List<ChatMessage> messages = [prompt.Messages[0], note, .. prompt.Messages.Skip(1)];
        return prompt with { Messages = messages, EstimatedTokens = prompt.EstimatedTokens + EstimateTokens(note.Text) };
    }

    /// <summary>The messages that ask the provider to summarise <paramref name="turns"/> in at most <paramref name="maxTokens"/>.</summary>
    public static IReadOnlyList<ChatMessage> SummaryRequest(ChatOptions options, IReadOnlyList<ChatExchange> turns, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(turns);
        var text = new StringBuilder();
        foreach (var turn in turns)
        {
            text.Append("User: ").Append(Outgoing(options, turn.Message)).Append("\n\n");
            if (turn.Reply.Length > 0)
            {
                text.Append("Assistant: ").Append(turn.Reply).Append("\n\n");
            }
        }

        return
        [
            new ChatMessage(ChatRole.System, $"Summarise this earlier part of a conversation between a developer and a programming assistant in at most {maxTokens * 3 / 4} words. Keep the facts, names, code identifiers and decisions; no preamble."),
            new ChatMessage(ChatRole.User, text.ToString().TrimEnd()),
        ];
    }

    /// <summary>What the summary message starts with.</summary>
    public const string SummaryPrefix = "Summary of the earlier conversation (its older turns are not repeated here):\n";

    private static int TurnTokens(ChatExchange turn) => EstimateTokens(turn.Message) + EstimateTokens(turn.Reply);

    private static (List<ChatExchange> Kept, int Used) Keep(IReadOnlyList<ChatExchange> history, int used, int budget)
    {
        var kept = new List<ChatExchange>();
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var cost = TurnTokens(history[i]);
            if (used + cost > budget)
            {
                break;
            }

            used += cost;
            kept.Add(history[i]);
        }

        kept.Reverse();
        return (kept, used);
    }

    private static string SystemText(ChatOptions options, string systemPrompt, ChatCodeContext? code)
    {
        if (code is null)
        {
            return systemPrompt;
        }

        var text = new StringBuilder(systemPrompt);
        if (code.SelectedText is { Length: > 0 } selected)
        {
            text.Append("\n\nThe user selected this code in ").Append(code.FileName).Append(":\n```\n").Append(selected).Append("\n```");
        }

        text.Append("\n\nThe current file, ").Append(code.FileName).Append(":\n```\n").Append(Clip(code.FileText, options.CurrentFileCharBudget)).Append("\n```");
        var remaining = options.OtherFilesCharBudget;
        foreach (var (path, body) in code.OtherFiles)
        {
            if (remaining <= 0)
            {
                break;
            }

            var clipped = Clip(body, remaining);
            remaining -= clipped.Length;
            text.Append("\n\nAnother open file, ").Append(path).Append(":\n```\n").Append(clipped).Append("\n```");
        }

        return text.ToString();
    }

    /// <summary>
    /// What of the user's own words leaves the machine: redacted like the file context, unless
    /// <see cref="ChatOptions.SendUnredactedMessages"/> allows them as typed.
    /// </summary>
    private static string Outgoing(ChatOptions options, string message) =>
        options.SendUnredactedMessages ? message : SecretRedactor.Redact(message)!;

    private static string Clip(string text, int budget) => text.Length <= budget ? text : text[..budget];
}
