using Code4me.Lsp.Core;
using Code4me.Lsp.Core.Documents;

namespace Code4me.Lsp.Tests.Documents;

public sealed class TextDocumentTests
{
    // "a€😀b": € is 3 UTF-8 bytes and 1 UTF-16 unit; 😀 is 4 UTF-8 bytes, 2 UTF-16 units, 1 code point.
    private static readonly TextDocument s_document = new("file:///e.txt", "plaintext", 1, Rope.FromString("x\na€😀b\n"));

    [Theory]
    [InlineData(PositionEncoding.Utf16, 0, 0)]
    [InlineData(PositionEncoding.Utf16, 2, 2)]
    [InlineData(PositionEncoding.Utf16, 5, 5)]
    [InlineData(PositionEncoding.Utf8, 1, 1)]
    [InlineData(PositionEncoding.Utf8, 4, 2)]
    [InlineData(PositionEncoding.Utf8, 8, 4)]
    [InlineData(PositionEncoding.Utf8, 9, 5)]
    [InlineData(PositionEncoding.Utf32, 2, 2)]
    [InlineData(PositionEncoding.Utf32, 3, 4)]
    [InlineData(PositionEncoding.Utf32, 4, 5)]
    public void GetOffset_CountsInTheNegotiatedEncoding(PositionEncoding encoding, int character, int expectedColumn)
    {
        Assert.Equal(2 + expectedColumn, s_document.GetOffset(1, character, encoding));
        Assert.Equal((1, character), s_document.GetPosition(2 + expectedColumn, encoding));
    }

    [Theory]
    [InlineData(-1, 0, "negative")]
    [InlineData(0, -2, "negative")]
    public void GetOffset_OutOfRange_SaysWhy(int line, int character, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => s_document.GetOffset(line, character, PositionEncoding.Utf16));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    // LSP: a character past the end of its line means the line's end; a line past the end means the document's end.
    [Theory]
    [InlineData(PositionEncoding.Utf16, 1, 6, 7)]
    [InlineData(PositionEncoding.Utf16, 0, 99, 1)]
    [InlineData(PositionEncoding.Utf8, 1, 10, 7)]
    [InlineData(PositionEncoding.Utf32, 1, 5, 7)]
    [InlineData(PositionEncoding.Utf16, 3, 0, 8)]
    [InlineData(PositionEncoding.Utf8, 99, 7, 8)]
    public void GetOffset_PastTheEnd_IsClamped(PositionEncoding encoding, int line, int character, int expected) =>
        Assert.Equal(expected, s_document.GetOffset(line, character, encoding));

    [Fact]
    public void GetOffset_EmptyLastLine_IsValid() => Assert.Equal(8, s_document.GetOffset(2, 0, PositionEncoding.Utf16));
}
