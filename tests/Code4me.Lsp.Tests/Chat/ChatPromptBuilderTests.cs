using Code4me.Lsp.Core.Chat;
using Microsoft.Extensions.AI;

namespace Code4me.Lsp.Tests.Chat;

public sealed class ChatPromptBuilderTests
{
    private static ChatExchange Turn(string message, string reply) =>
        new(Guid.NewGuid(), Guid.Empty, DateTimeOffset.UnixEpoch, message, reply, "m", ChatOutcome.Completed, 0, 0, 0, false, null, 0, false, null, null);

    [Fact]
    public void Build_HistoryFits_KeepsEveryTurnInOrder()
    {
        var options = new Code4me.Lsp.Core.Chat.ChatOptions { MaxTokens = 100 };

        var prompt = ChatPromptBuilder.Build(options, "sys", 1000, null, [Turn("q1", "a1"), Turn("q2", "a2")], "q3");

        Assert.Equal(0, prompt.DroppedTurns);
        Assert.Equal(["sys", "q1", "a1", "q2", "a2", "q3"], [.. prompt.Messages.Select(m => m.Text)]);
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User, ChatRole.Assistant, ChatRole.User], [.. prompt.Messages.Select(m => m.Role)]);
    }

    [Fact]
    public void Build_ConversationOutgrowsWindow_DropsOldestTurnsAndCountsThem()
    {
        // 400 characters ≈ 100 tokens per message; the window leaves room for about two turns.
        var big = new string('x', 400);
        var options = new Code4me.Lsp.Core.Chat.ChatOptions { MaxTokens = 100 };
        ChatExchange[] history = [Turn("old" + big, big), Turn("mid" + big, big), Turn("new" + big, big)];

        var prompt = ChatPromptBuilder.Build(options, "sys", 400, null, history, "q");

        Assert.Equal(2, prompt.DroppedTurns);
        Assert.Equal([history[0].QueryId, history[1].QueryId], prompt.Dropped.Select(d => d.QueryId));   // oldest first
        Assert.StartsWith("new", prompt.Messages[1].Text, StringComparison.Ordinal);
        Assert.Equal(1 + 1 + (101 + 100) * 3, prompt.TokensBefore);
        Assert.Equal(1 + 1 + 101 + 100, prompt.EstimatedTokens);
    }

    [Fact]
    public void Build_ReserveForASummary_LeavesOutOneMoreTurnOnlyWhenSomethingIsLeftOut()
    {
        var big = new string('x', 400);
        var options = new Code4me.Lsp.Core.Chat.ChatOptions { MaxTokens = 100 };
        ChatExchange[] history = [Turn("old" + big, big), Turn("mid" + big, big), Turn("new" + big, big)];

        var fits = ChatPromptBuilder.Build(options, "sys", 1000, null, history, "q", reserveTokens: 300);
        var outgrown = ChatPromptBuilder.Build(options, "sys", 505, null, history, "q", reserveTokens: 100);

        Assert.Equal(0, fits.DroppedTurns);
        Assert.Equal(2, outgrown.DroppedTurns);   // without the reserve two turns would fit, with it one
    }

    [Fact]
    public void WithSummary_Prompt_PutsTheSummaryAfterTheSystemPromptAndCountsIt()
    {
        var big = new string('x', 400);
        var options = new Code4me.Lsp.Core.Chat.ChatOptions { MaxTokens = 100 };
        var prompt = ChatPromptBuilder.Build(options, "sys", 400, null, [Turn("old" + big, big), Turn("new" + big, big)], "q");

        var summarised = ChatPromptBuilder.WithSummary(prompt, "They talked about x.");

        Assert.Equal(["sys", ChatPromptBuilder.SummaryPrefix + "They talked about x.", "new" + big, big, "q"], [.. summarised.Messages.Select(m => m.Text)]);
        Assert.Equal(ChatRole.System, summarised.Messages[1].Role);
        Assert.Equal(prompt.EstimatedTokens + ChatPromptBuilder.EstimateTokens(summarised.Messages[1].Text), summarised.EstimatedTokens);
    }

    [Fact]
    public void Build_CodeContext_SelectionCurrentFileAndOtherFilesWithinBudget()
    {
        var options = new Code4me.Lsp.Core.Chat.ChatOptions { OtherFilesCharBudget = 5 };
        var code = new ChatCodeContext("/w/a.py", "python", "def f(): pass", "f()", [("/w/b.py", "0123456789"), ("/w/c.py", "never")]);

        var system = ChatPromptBuilder.Build(options, "sys", 8192, code, [], "q").Messages[0].Text;

        Assert.Contains("selected this code in /w/a.py:\n```\nf()\n```", system, StringComparison.Ordinal);
        Assert.Contains("The current file, /w/a.py:\n```\ndef f(): pass\n```", system, StringComparison.Ordinal);
        Assert.Contains("/w/b.py:\n```\n01234\n```", system, StringComparison.Ordinal);
        Assert.DoesNotContain("/w/c.py", system, StringComparison.Ordinal);
    }
}
