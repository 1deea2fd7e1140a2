using System.Text;
using Microsoft.Extensions.AI;

namespace Code4me.Lsp.Core.Chat;

/// <summary>
/// Builds the prompt: the system prompt with the code context (selection, current file, other open files within
/// their budgets), then as many of the latest earlier exchanges as fit the context window (less the reply's
/// <see cref="ChatOptions.MaxTokens"/>), then the new message. Older turns that do not fit are dropped and counted.
/// </summary>
public static class ChatPromptBuilder
{
    /// <summary>The estimate used when the provider reports no usage: about four characters per token.</summary>
    public static int EstimateTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return (text.Length + 3) / 4;
    }

    public static ChatPrompt Build(ChatOptions options, string systemPrompt, ChatCodeContext? code, IReadOnlyList<ChatExchange> history, string message)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(history);
        var system = new ChatMessage(ChatRole.System, SystemText(options, systemPrompt, code));
        var user = new ChatMessage(ChatRole.User, message);
        var budget = options.ContextWindowTokens - options.MaxTokens;
        var used = EstimateTokens(system.Text) + EstimateTokens(message);

        var kept = new List<ChatExchange>();
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var turn = history[i];
            var cost = EstimateTokens(turn.Message) + EstimateTokens(turn.Reply);
            if (used + cost > budget)
            {
                break;
            }

            used += cost;
            kept.Add(turn);
        }

        kept.Reverse();
        var messages = new List<ChatMessage> { system };
        foreach (var turn in kept)
        {
            messages.Add(new ChatMessage(ChatRole.User, turn.Message));
            if (turn.Reply.Length > 0)
            {
                messages.Add(new ChatMessage(ChatRole.Assistant, turn.Reply));
            }
        }

        messages.Add(user);
        return new ChatPrompt(messages, used, history.Count - kept.Count);
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

    private static string Clip(string text, int budget) => text.Length <= budget ? text : text[..budget];
}
