using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

public sealed class RetentionMeasureTests
{
    [Theory]
    [InlineData("a + b", "a + b", 5)]
    [InlineData("a + b", "a + c", 4)]
    [InlineData("a + b", "a + b * 2", 5)]    // typed inside: kept characters still count
    [InlineData("a + b", "", 0)]
    [InlineData("", "abc", 0)]
    [InlineData("return x", "x", 1)]
    [InlineData("abc", "cba", 1)]
    [InlineData("foo(bar)", "foo(baz, bar)", 8)]
    public void RetainedCharacters_IsTheLongestCommonSubsequence(string accepted, string region, int expected) =>
        Assert.Equal(expected, RetentionMeasure.RetainedCharacters(accepted, region));

    [Fact]
    public void RetainedCharacters_HugeRegion_IsBoundedAndNeverExceedsAccepted()
    {
        var accepted = new string('a', 2000);
        var region = new string('a', 1000) + new string('b', 100_000);
        Assert.Equal(1000, RetentionMeasure.RetainedCharacters(accepted, region));
    }
}
