using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

public sealed class GroundTruthCaptureTests
{
    // "$$" marks the anchor.
    [Theory]
    [InlineData("x = $$foo(1)\ny = 2\n", 0, 3, "foo(1)", " = ", "\ny ")]
    [InlineData("x = $$foo(1)\ny = 2\n", 1, 3, "foo(1)\ny = 2", " = ", "\n")]
    [InlineData("x = $$foo(1)\ny = 2\n", 5, 3, "foo(1)\ny = 2\n", " = ", "")]
    [InlineData("x = $$foo(1)\r\ny = 2", 0, 100, "foo(1)", "x = ", "\r\ny = 2")]
    [InlineData("$$", 0, 10, "", "", "")]
    [InlineData("abc$$\n", 0, 0, "", "", "")]
    public void Capture_TakesAnchorToEndOfTheSuggestionsLastLine(string markup, int lineBreaks, int context, string truth, string before, string after)
    {
        var anchor = markup.IndexOf("$$", StringComparison.Ordinal);
        var text = Rope.FromString(markup.Replace("$$", "", StringComparison.Ordinal));
        Assert.Equal((truth, before, after), GroundTruthCapture.Capture(text, anchor, lineBreaks, context));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("a\nb", 1)]
    [InlineData("a\r\nb\rc\n", 3)]
    public void CountLineBreaks_CountsLikeTheRope(string text, int expected)
    {
        Assert.Equal(expected, GroundTruthCapture.CountLineBreaks(text));
        Assert.Equal(expected, Rope.FromString(text).LineBreaks);
    }
}
