using Code4me.Lsp.Core.Completion.Offline;

namespace Code4me.Lsp.Tests.Completion;

public sealed class LineIndexTests
{
    [Theory]
    [InlineData("zzzz = 1")]   // after every indexed line in ordinal order
    [InlineData("AAAA = 1")]   // before every indexed line
    public void Following_ALineOutsideTheIndexedRange_IsNoneOrANeighbour_NeverAnException(string previous)
    {
        // Found by the Emacs end-to-end test: a line past the last indexed one made the offline model throw
        // ("Must be less than or equal to upperValue") on every request at that place.
        var index = new LineIndex();
        index.Add("data1 = np.loadtxt(path)\ndata2 = np.loadtxt(path)\nrows = data1 + data2\n");

        var following = index.Following(previous, indentStep: 0);

        Assert.Null(following);
    }

    [Fact]
    public void Following_ALineSharingAPrefixWithTheLastIndexedOne_IsItsFollower()
    {
        var index = new LineIndex();
        index.Add("data1 = np.loadtxt(path)\nrows = data1\n");

        Assert.Equal(("rows = data1", "data1 = np.loadtxt(path)"), index.Following("data1 = np.loadtxt(path, sep)", indentStep: 0));
    }
}
