using Code4me.Lsp.Core.Completion;

namespace Code4me.Lsp.Tests.Completion;

public class AdaptiveDebounceTests
{
    [Theory]
    [InlineData(new double[0], 50, 400, 400)]                    // no rhythm yet: the upper bound
    [InlineData(new[] { 100.0, 120, 80 }, 50, 400, 150)]         // 1.5 × median 100
    [InlineData(new[] { 10.0, 12, 8 }, 50, 400, 50)]             // clamped up
    [InlineData(new[] { 900.0, 1000 }, 50, 400, 400)]            // clamped down
    [InlineData(new[] { 100.0, 5000, 100 }, 50, 400, 150)]       // a pause is not rhythm
    [InlineData(new[] { 100.0, 200 }, 400, 50, 225)]             // swapped bounds are tolerated
    public void DelayMs_FromIntervals(double[] intervals, int min, int max, int expected)
        => Assert.Equal(expected, AdaptiveDebounce.DelayMs(intervals, min, max));
}
