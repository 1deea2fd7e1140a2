using System.Text;
using Code4me.Lsp.Core.Documents;

namespace Code4me.Lsp.Tests.Documents;

public sealed class RopeTests
{
    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("a\nb")]
    [InlineData("a\r\nb\r\n")]
    [InlineData("a\rb\r")]
    [InlineData("\n\n\r\n\r\r\n")]
    public void LineIndex_MatchesNaiveScan(string text) => AssertMatches(text, Rope.FromString(text));

    [Fact]
    public void CrLf_SplitAcrossLeaves_CountsAsOneBreak()
    {
        // Build "…\r" + "\n…" so the pair straddles two leaves.
        var left = new string('x', Rope.MaxLeafLength - 1) + "\r";
        var rope = Rope.FromString(left).Insert(left.Length, "\n" + new string('y', Rope.MaxLeafLength));
        Assert.Equal(1, rope.LineBreaks);
        Assert.Equal(left.Length + 1, rope.GetLineStart(1));
        Assert.Equal(left.Length - 1, rope.GetLineEnd(0));
        Assert.Equal(0, rope.GetLineOfOffset(left.Length)); // between \r and \n: still line 0
        AssertMatches(rope.ToString(), rope);
    }

    [Fact]
    public void RandomEdits_AgreeWithAStringBuilder()
    {
        var random = new Random(1234);
        var reference = new StringBuilder(RandomText(random, 5000));
        var rope = Rope.FromString(reference.ToString());
        for (var i = 0; i < 3000; i++)
        {
            var offset = random.Next(reference.Length + 1);
            var length = random.Next(Math.Min(20, reference.Length - offset) + 1);
            var text = random.Next(4) == 0 ? RandomText(random, random.Next(1, 3000)) : RandomText(random, random.Next(0, 4));
            reference.Remove(offset, length).Insert(offset, text);
            rope = rope.Replace(offset, length, text);
            if (i % 250 == 0)
            {
                AssertMatches(reference.ToString(), rope);
            }
        }

        AssertMatches(reference.ToString(), rope);
    }

    [Fact]
    public void Snapshot_IsUnchangedByLaterEdits()
    {
        var before = Rope.FromString("hello\nworld");
        var after = before.Insert(5, ", there");
        Assert.Equal("hello\nworld", before.ToString());
        Assert.Equal("hello, there\nworld", after.ToString());
    }

    [Fact]
    public void TypingOneCharacterAtATime_KeepsTheTreeShallow()
    {
        var rope = Rope.FromString(new string('a', 1_000_000));
        for (var i = 0; i < 10_000; i++)
        {
            rope = rope.Insert(500_000 + i, "b");
        }

        // A balanced tree over ~1000 leaves; typing merged into leaves instead of adding 10,000 of them.
        Assert.Equal(1_010_000, rope.Length);
        Assert.True(rope.Chunks().Count() < 2000, $"{rope.Chunks().Count()} leaves");
    }

    private static void AssertMatches(string expected, Rope rope)
    {
        Assert.Equal(expected, rope.ToString());
        var starts = new List<int> { 0 };
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] == '\n' || (expected[i] == '\r' && (i + 1 == expected.Length || expected[i + 1] != '\n')))
            {
                starts.Add(i + 1);
            }
        }

        Assert.Equal(starts.Count - 1, rope.LineBreaks);
        for (var line = 0; line < starts.Count; line++)
        {
            Assert.Equal(starts[line], rope.GetLineStart(line));
        }

        var lineOf = 0;
        for (var offset = 0; offset <= expected.Length; offset += Math.Max(1, expected.Length / 200))
        {
            while (lineOf + 1 < starts.Count && starts[lineOf + 1] <= offset)
            {
                lineOf++;
            }

            Assert.Equal(lineOf, rope.GetLineOfOffset(offset));
        }
    }

    private static string RandomText(Random random, int length)
    {
        const string alphabet = "abc def\n\r\t(){};é😀";
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(alphabet[random.Next(alphabet.Length)]);
        }

        return builder.ToString();
    }
}
