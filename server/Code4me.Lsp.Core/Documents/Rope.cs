using System.Text;

namespace Code4me.Lsp.Core.Documents;

/// <summary>
/// An immutable, balanced rope of UTF-16 text with a line index. Insert, delete and line lookups cost
/// O(log n + size of the edit), so typing into a 5 MB document costs the same as into a 5 KB one, and a
/// snapshot is just a reference (readers never copy and never lock).
/// </summary>
/// <remarks>
/// Line breaks follow LSP: <c>\n</c>, <c>\r\n</c> and a lone <c>\r</c>. Each node caches its length, its
/// number of line breaks and its first and last character, so a <c>\r\n</c> pair split across two leaves
/// is still counted once. The tree is an AVL tree over leaves of at most <see cref="MaxLeafLength"/>
/// characters; small neighbouring leaves are merged when joined so typing does not fragment it.
/// </remarks>
public abstract class Rope
{
    /// <summary>Largest leaf, in UTF-16 code units.</summary>
    public const int MaxLeafLength = 1024;

    /// <summary>The empty rope.</summary>
    public static readonly Rope Empty = new Leaf(string.Empty);

    private protected Rope(int length, int lineBreaks, char first, char last, int height)
    {
        Length = length;
        LineBreaks = lineBreaks;
        First = first;
        Last = last;
        Height = height;
    }

    /// <summary>Length in UTF-16 code units.</summary>
    public int Length { get; }

    /// <summary>Number of line breaks; the number of lines is one more.</summary>
    public int LineBreaks { get; }

    /// <summary>Number of lines (an empty document has one).</summary>
    public int LineCount => LineBreaks + 1;

    private protected char First { get; }

    private protected char Last { get; }

    private protected int Height { get; }

    /// <summary>Builds a balanced rope from text.</summary>
    public static Rope FromString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= MaxLeafLength)
        {
            return text.Length == 0 ? Empty : new Leaf(text);
        }

        // Leaves of MaxLeafLength/2..MaxLeafLength, built bottom-up into a perfectly balanced tree.
        var count = (text.Length + MaxLeafLength - 1) / MaxLeafLength;
        var nodes = new List<Rope>(count);
        for (var i = 0; i < count; i++)
        {
            var start = (int)((long)text.Length * i / count);
            var end = (int)((long)text.Length * (i + 1) / count);
            nodes.Add(new Leaf(text[start..end]));
        }

        while (nodes.Count > 1)
        {
            var next = new List<Rope>((nodes.Count + 1) / 2);
            for (var i = 0; i < nodes.Count; i += 2)
            {
                next.Add(i + 1 < nodes.Count ? new Branch(nodes[i], nodes[i + 1]) : nodes[i]);
            }

            nodes = next;
        }

        return nodes[0];
    }

    /// <summary>Returns a rope with <paramref name="text"/> inserted at <paramref name="offset"/>.</summary>
    public Rope Insert(int offset, string text)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length);
        if (text.Length == 0)
        {
            return this;
        }

        var (left, right) = Split(this, offset);
        return Join(Join(left, FromString(text)), right);
    }

    /// <summary>Returns a rope with <paramref name="length"/> characters at <paramref name="offset"/> replaced by <paramref name="text"/>.</summary>
    public Rope Replace(int offset, int length, string text)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + length, Length);
        var (left, rest) = Split(this, offset);
        var (_, right) = Split(rest, length);
        return text.Length == 0 ? Join(left, right) : Join(Join(left, FromString(text)), right);
    }

    /// <summary>Offset of the first character of line <paramref name="line"/> (0-based).</summary>
    public int GetLineStart(int line)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(line);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(line, LineBreaks);
        return line == 0 ? 0 : OffsetAfterBreak(this, line);
    }

    /// <summary>Offset just past the last character of line <paramref name="line"/>, before its line break.</summary>
    public int GetLineEnd(int line)
    {
        if (line == LineBreaks)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(line);
            return Length;
        }

        var nextStart = GetLineStart(line + 1);
        // The break is \n, \r or \r\n; look back at most two characters.
        var end = nextStart - 1;
        if (this[end] == '\n' && end > 0 && this[end - 1] == '\r')
        {
            end--;
        }

        return end;
    }

    /// <summary>The 0-based line that contains <paramref name="offset"/>.</summary>
    public int GetLineOfOffset(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length);
        // Breaks that end at or before offset: a \r immediately followed by \n at offset is not yet complete.
        var breaks = BreaksBefore(this, offset);
        if (offset > 0 && offset < Length && this[offset - 1] == '\r' && this[offset] == '\n')
        {
            breaks--;
        }

        return breaks;
    }

    /// <summary>The character at <paramref name="index"/>.</summary>
    public char this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
            var node = this;
            while (node is Branch branch)
            {
                if (index < branch.Left.Length)
                {
                    node = branch.Left;
                }
                else
                {
                    index -= branch.Left.Length;
                    node = branch.Right;
                }
            }

            return ((Leaf)node).Text[index];
        }
    }

    /// <summary>Copies <paramref name="length"/> characters starting at <paramref name="offset"/>.</summary>
    public string GetText(int offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + length, Length);
        if (length == 0)
        {
            return string.Empty;
        }

        return string.Create(length, (this, offset), static (span, state) => state.Item1.CopyTo(state.Item2, span));
    }

    /// <summary>The whole text. O(n): for tests, exports and small documents only.</summary>
    public override string ToString() => GetText(0, Length);

    /// <summary>Appends the text to a builder without an intermediate string.</summary>
    public void AppendTo(StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var chunk in Chunks())
        {
            builder.Append(chunk);
        }
    }

    /// <summary>The leaves, in order.</summary>
    public IEnumerable<ReadOnlyMemory<char>> Chunks()
    {
        var stack = new Stack<Rope>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node is Branch branch)
            {
                stack.Push(branch.Right);
                stack.Push(branch.Left);
            }
            else if (node.Length > 0)
            {
                yield return ((Leaf)node).Text.AsMemory();
            }
        }
    }

    private void CopyTo(int offset, Span<char> destination)
    {
        var node = this;
        while (destination.Length > 0)
        {
            if (node is Leaf leaf)
            {
                leaf.Text.AsSpan(offset, destination.Length).CopyTo(destination);
                return;
            }

            var branch = (Branch)node;
            if (offset >= branch.Left.Length)
            {
                offset -= branch.Left.Length;
                node = branch.Right;
                continue;
            }

            var fromLeft = Math.Min(destination.Length, branch.Left.Length - offset);
            branch.Left.CopyTo(offset, destination[..fromLeft]);
            destination = destination[fromLeft..];
            offset = 0;
            node = branch.Right;
        }
    }

    private static bool Crosses(Rope left, Rope right) => left.Last == '\r' && right.First == '\n';

    private static int OffsetAfterBreak(Rope node, int k)
    {
        var baseOffset = 0;
        while (node is Branch branch)
        {
            var left = branch.Left;
            var crossing = Crosses(left, branch.Right);
            if (k < left.LineBreaks || (k == left.LineBreaks && !crossing))
            {
                node = left;
            }
            else if (k == left.LineBreaks)
            {
                // The \r that ends the left side is completed by the \n that starts the right side.
                return baseOffset + left.Length + 1;
            }
            else
            {
                k = k - left.LineBreaks + (crossing ? 1 : 0);
                baseOffset += left.Length;
                node = branch.Right;
            }
        }

        return baseOffset + ((Leaf)node).OffsetAfterBreak(k);
    }

    // Line breaks wholly inside [0, offset), counting a \r at offset-1 as a break.
    private static int BreaksBefore(Rope node, int offset)
    {
        var breaks = 0;
        while (node is Branch branch)
        {
            var left = branch.Left;
            if (offset <= left.Length)
            {
                node = left;
                continue;
            }

            breaks += left.LineBreaks - (Crosses(left, branch.Right) ? 1 : 0);
            offset -= left.Length;
            node = branch.Right;
        }

        return breaks + ((Leaf)node).BreaksBefore(offset);
    }

    private static (Rope Left, Rope Right) Split(Rope node, int offset)
    {
        if (offset <= 0)
        {
            return (Empty, node);
        }

        if (offset >= node.Length)
        {
            return (node, Empty);
        }

        if (node is Leaf leaf)
        {
            return (new Leaf(leaf.Text[..offset]), new Leaf(leaf.Text[offset..]));
        }

        var branch = (Branch)node;
        if (offset <= branch.Left.Length)
        {
            var (a, b) = Split(branch.Left, offset);
            return (a, Join(b, branch.Right));
        }
        else
        {
            var (a, b) = Split(branch.Right, offset - branch.Left.Length);
            return (Join(branch.Left, a), b);
        }
    }

    private static Rope Join(Rope left, Rope right)
    {
        if (left.Length == 0)
        {
            return right;
        }

        if (right.Length == 0)
        {
            return left;
        }

        if (left is Leaf l && right is Leaf r && l.Length + r.Length <= MaxLeafLength)
        {
            return new Leaf(string.Concat(l.Text, r.Text));
        }

        if (left.Height > right.Height + 1)
        {
            var branch = (Branch)left;
            return Balance(branch.Left, Join(branch.Right, right));
        }

        if (right.Height > left.Height + 1)
        {
            var branch = (Branch)right;
            return Balance(Join(left, branch.Left), branch.Right);
        }

        return new Branch(left, right);
    }

    private static Branch Balance(Rope left, Rope right)
    {
        if (left.Height > right.Height + 1)
        {
            var l = (Branch)left;
            if (l.Left.Height >= l.Right.Height)
            {
                return new Branch(l.Left, new Branch(l.Right, right));
            }

            var lr = (Branch)l.Right;
            return new Branch(new Branch(l.Left, lr.Left), new Branch(lr.Right, right));
        }

        if (right.Height > left.Height + 1)
        {
            var r = (Branch)right;
            if (r.Right.Height >= r.Left.Height)
            {
                return new Branch(new Branch(left, r.Left), r.Right);
            }

            var rl = (Branch)r.Left;
            return new Branch(new Branch(left, rl.Left), new Branch(rl.Right, r.Right));
        }

        return new Branch(left, right);
    }

    private sealed class Leaf : Rope
    {
        public Leaf(string text)
            : base(text.Length, CountBreaks(text), text.Length == 0 ? '\0' : text[0], text.Length == 0 ? '\0' : text[^1], 0)
        {
            Text = text;
        }

        public string Text { get; }

        public int OffsetAfterBreak(int k)
        {
            var text = Text;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '\n' || (c == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
                {
                    if (--k == 0)
                    {
                        return i + 1;
                    }
                }
            }

            throw new InvalidOperationException("Line index out of range of the rope's cached line count.");
        }

        public int BreaksBefore(int offset)
        {
            var text = Text;
            var count = 0;
            for (var i = 0; i < offset; i++)
            {
                var c = text[i];
                if (c == '\n' || (c == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
                {
                    count++;
                }
            }

            // A \r\n pair straddling the offset: its \r ends a break only once the \n is included.
            if (offset > 0 && offset < text.Length && text[offset - 1] == '\r' && text[offset] == '\n')
            {
                count++;
            }

            return count;
        }

        private static int CountBreaks(string text)
        {
            var count = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '\n' || (c == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
                {
                    count++;
                }
            }

            return count;
        }
    }

    private sealed class Branch(Rope left, Rope right)
        : Rope(
            left.Length + right.Length,
            left.LineBreaks + right.LineBreaks - (Crosses(left, right) ? 1 : 0),
            left.First,
            right.Last,
            Math.Max(left.Height, right.Height) + 1)
    {
        public Rope Left { get; } = left;

        public Rope Right { get; } = right;
    }
}
