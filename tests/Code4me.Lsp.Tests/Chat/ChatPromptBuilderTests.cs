using Code4me.Lsp.Core.Chat;
using Microsoft.Extensions.AI;

namespace Code4me.Lsp.Tests.Chat;

public sealed class ChatPromptBuilderTests
{
    private static ChatExchange Turn(string message, string reply) =>
        new(Guid.NewGuid(), Guid.Empty, null, DateTimeOffset.UnixEpoch, message, reply, "m", ChatOutcome.Completed, 0, 0, 0, false, null, 0, false, null, null);

    [Fact]
    public void Build_HistoryFits_KeepsEveryTurnInOrder()
    {
        var options = new Code4me.Lsp.Core.Chat.ChatOptions { ContextWindowTokens = 1000, MaxTokens = 100 };

        var prompt = ChatPromptBuilder.Build(options, "sys", null, [Turn("q1", "a1"), Turn("q2", "a2")], "q3");

        Assert.Equal(0, prompt.DroppedTurns);
        Assert.Equal(["sys", "q1", "a1", "q2", "a2", "q3"], [.. prompt.Messages.Select(m => m.Text)]);
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User, ChatRole.Assistant, ChatRole.User], [.. prompt.Messages.Select(m => m.Role)]);
    }

    [Fact]
    public void Build_ConversationOutgrowsWindow_DropsOldestTurnsAndCountsThem()
    {
        // 400 characters ≈ 100 tokens per message; the window leaves room for about two turns.
        var big = new string('x', 400);
        var options = new Code4me.Lsp.Core.Chat.ChatOptions { ContextWindowTokens = 400, MaxTokens = 100 };

        var prompt = ChatPromptBuilder.Build(options, "sys", null, [Turn("old" + big, big), Turn("mid" + big, big), Turn("new" + big, big)], "q");

        Assert.Equal(2, prompt.DroppedTurns);
        Assert.StartsWith("new", prompt.Messages[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_CodeContext_SelectionCurrentFileAndOtherFilesWithinBudget()
    {
        var options = new Code4me.Lsp.Core.Chat.ChatOptions { OtherFilesCharBudget = 5 };
        var code = new ChatCodeContext("/w/a.py", "python", "def f(): pass", "f()", [("/w/b.py", "0123456789"), ("/w/c.py", "never")]);

        var system = ChatPromptBuilder.Build(options, "sys", code, [], "q").Messages[0].Text;

        Assert.Contains("selected this code in /w/a.py:\n```\nf()\n```", system, StringComparison.Ordinal);
        Assert.Contains("The current file, /w/a.py:\n```\ndef f(): pass\n```", system, StringComparison.Ordinal);
        Assert.Contains("/w/b.py:\n```\n01234\n```", system, StringComparison.Ordinal);
        Assert.DoesNotContain("/w/c.py", system, StringComparison.Ordinal);
    }
}
