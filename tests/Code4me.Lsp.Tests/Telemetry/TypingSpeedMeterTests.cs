using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

public sealed class TypingSpeedMeterTests
{
    private const string Uri = "file:///work/proj/a.py";

    [Theory]
    [InlineData("a", true)]
    [InlineData(" ", true)]
    [InlineData("😀", true)]
    [InlineData("()", true)]
    [InlineData("\"\"", true)]
    [InlineData("\t", false)]
    [InlineData("\n", false)]
    [InlineData("\r\n", false)]
    [InlineData("\n    ", false)]
    [InlineData("ab", false)]
    [InlineData("(a", false)]
    [InlineData("hello", false)]
    [InlineData("", false)]
    [InlineData("\uD83D", false)]
    public void IsTypedElement_FollowsTheDocumentedRule(string text, bool expected) =>
        Assert.Equal(expected, TypingSpeedMeter.IsTypedElement(text));

    [Fact]
    public void CharactersPerSecond_ScriptedSession_CountsOnlyTypedCharactersInTheLastTenSeconds()
    {
        using var h = new TelemetryHarness();
        h.Documents.Open(Uri, "python", 1, "");
        h.At(0); h.Insert(Uri, 0, "a");                    // 1: counts
        h.At(1); h.Insert(Uri, 1, "b");                    // 2
        h.At(2); h.Insert(Uri, 2, "c");                    // 3
        h.At(3); h.Insert(Uri, 3, "hello");                // paste: no
        h.At(4); h.Insert(Uri, 8, "\n    ");               // newline + auto-indent: no
        h.At(5); h.Replace(Uri, 12, 1, "");                // deletion: no
        h.At(6); h.Insert(Uri, 12, "()");                  // auto-closed pair: 4
        h.At(7); h.Insert(Uri, 13, "😀");                  // one surrogate pair: 5
        h.At(8); h.Insert(Uri, 15, " ");                   // space: 6
        h.At(9); h.Insert(Uri, 16, "\t");                  // tab: no
        Assert.Equal("abchello\n   (😀 \t)", h.Documents.Get(Uri).Text.ToString());
        Assert.Equal(0.6, h.Typing.CharactersPerSecond, 12);

        h.At(10);   // "a" typed at 0 is exactly 10 s old: out of (0, 10]
        Assert.Equal(0.5, h.Typing.CharactersPerSecond, 12);
        h.At(10.5);
        Assert.Equal(0.5, h.Typing.CharactersPerSecond, 12);
        h.At(19);
        Assert.Equal(0.0, h.Typing.CharactersPerSecond, 12);
    }

    [Fact]
    public void CharactersPerSecond_TypingOverASelection_Counts()
    {
        using var h = new TelemetryHarness();
        h.Documents.Open(Uri, "python", 1, "x = old");
        h.Replace(Uri, 4, 3, "n");
        Assert.Equal(0.1, h.Typing.CharactersPerSecond, 12);
    }

    [Fact]
    public void CharactersPerSecond_FullSyncKeystrokes_CountLikeIncremental()
    {
        using var h = new TelemetryHarness();
        h.Documents.Open(Uri, "python", 1, "def f():\n    pass\n");
        h.ReplaceAll(Uri, "def fo():\n    pass\n");
        h.At(1);
        h.ReplaceAll(Uri, "def foo():\n    pass\n");
        h.At(2);
        h.ReplaceAll(Uri, "def foo():\n    pass\n# pasted comment\n");
        Assert.Equal(0.2, h.Typing.CharactersPerSecond, 12);
    }

    [Fact]
    public void ExcludeAcceptedInsert_AfterTheInsert_TakesTheKeystrokeBack()
    {
        using var h = new TelemetryHarness();
        h.Documents.Open(Uri, "python", 1, "f(");
        h.Insert(Uri, 2, "x");
        h.Insert(Uri, 3, ")");
        h.Typing.ExcludeAcceptedInsert(Uri, ")");
        Assert.Equal(0.1, h.Typing.CharactersPerSecond, 12);
    }

    [Fact]
    public void ExcludeAcceptedInsert_BeforeTheInsert_SkipsTheNextMatchingInsertWithinTwoSeconds()
    {
        using var h = new TelemetryHarness();
        h.Documents.Open(Uri, "python", 1, "f(");
        h.Typing.ExcludeAcceptedInsert(Uri, ")");
        h.At(1);
        h.Insert(Uri, 2, ")");
        Assert.Equal(0.0, h.Typing.CharactersPerSecond, 12);

        h.Typing.ExcludeAcceptedInsert(Uri, ";");
        h.At(4);    // the exclusion lapsed after 2 s
        h.Insert(Uri, 3, ";");
        Assert.Equal(0.1, h.Typing.CharactersPerSecond, 12);
    }
}
