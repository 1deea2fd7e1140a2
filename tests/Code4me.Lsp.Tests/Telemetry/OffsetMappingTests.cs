using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

public sealed class OffsetMappingTests
{
    // Edits against "0123456789" with a followed point/region at 4 (start) .. 7 (end).
    [Theory]
    [InlineData(1, 0, "ab", 6, 6, 9)]       // insert before: everything shifts
    [InlineData(4, 0, "ab", 4, 6, 9)]       // insert at the point: typed text goes after it; before the region
    [InlineData(7, 0, "ab", 4, 4, 7)]       // insert at the region's end: after it
    [InlineData(5, 0, "ab", 4, 4, 9)]       // insert inside: the region grows
    [InlineData(8, 1, "", 4, 4, 7)]         // delete after: nothing moves
    [InlineData(2, 3, "", 2, 2, 4)]         // delete across the start: clamps to the edit
    [InlineData(5, 5, "", 4, 4, 5)]         // delete across the end: the region shrinks
    [InlineData(3, 6, "x", 3, 3, 4)]        // replace covering the region: the replacement is the region
    [InlineData(4, 3, "xyz", 4, 4, 7)]      // replace exactly the region
    public void Map_FollowsTheDocumentedGravity(int offset, int length, string text, int expectedPoint, int expectedStart, int expectedEnd)
    {
        var edit = new TextEdit(offset, length, text);
        Assert.Equal(expectedPoint, OffsetMapping.MapLeftSticky(4, edit));
        Assert.Equal(expectedStart, OffsetMapping.MapRegionStart(4, edit));
        Assert.Equal(expectedEnd, OffsetMapping.MapRegionEnd(7, edit));
    }
}
