using Code4me.Lsp.Core.Completion.Offline;

namespace Code4me.Lsp.Tests.Completion;

public class CodeTokenizerTests
{
    [Theory]
    [InlineData("foo_bar1 = 42", "foo_bar1| |=| |42")]
    [InlineData("if x:\n    return y", "if| |x|:|\\n    |return| |y")]
    [InlineData("a===b!=c", "a|===|b|!=|c")]
    [InlineData("x->y=>z::w", "x|->|y|=>|z|::|w")]
    [InlineData("s = \"hi there\"", "s| |=| |\"|hi| |there|\"")]
    [InlineData("3.14 + 0x1F", "3.14| |+| |0x1F")]
    [InlineData("a\r\n\tb", "a|\\r\\n\t|b")]
    [InlineData("f(x)[0]{}", "f|(|x|)|[|0|]|{|}")]
    [InlineData("\n\n  x", "\\n|\\n  |x")]
    [InlineData("x...y", "x|...|y")]
    public void Split_CodeText_GivesExpectedTokens(string text, string expected)
    {
        var tokens = CodeTokenizer.Split(text).Select(t => t.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal));
        Assert.Equal(expected, string.Join('|', tokens));
    }

    [Theory]
    [InlineData("def f(a, b):\n    return a+b  # sum\n")]
    [InlineData("int main() { return 0; }\r\n")]
    [InlineData("emoji 😀 and ünïcode")]
    public void Split_AnyText_ConcatenatesBackToInput(string text)
        => Assert.Equal(text, string.Concat(CodeTokenizer.Split(text)));
}
