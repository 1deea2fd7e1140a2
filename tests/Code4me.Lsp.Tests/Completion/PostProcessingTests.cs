using Code4me.Lsp.Core.Completion.PostProcessing;

namespace Code4me.Lsp.Tests.Completion;

/// <summary>Each rule on its own; <c>\n</c> in the data is a line break.</summary>
public class PostProcessingTests
{
    [Theory]
    [InlineData("foo(x))", ")", "foo(x)")]           // auto-closed bracket
    [InlineData("name\")", "\")", "name")]          // auto-closed quote and bracket
    [InlineData("a + b;", "a + b;", "")]             // retyped the rest of the line
    [InlineData("x = 1", "1 + 2", "x = 1")]          // coincidence mid-line: kept
    [InlineData("call()\nnext()", "next()\nmore()", "call()\n")] // repeats a whole suffix line
    [InlineData("abc", "", "abc")]
    public void SuffixOverlap_Remove(string completion, string suffix, string expected)
        => Assert.Equal(expected, SuffixOverlap.Remove(completion, suffix));

    [Theory]
    [InlineData("x)", "f(", "", false, "x)")]          // closes the prefix's open bracket
    [InlineData("x)", "f(", ")", false, "x")]          // the suffix already closes it
    [InlineData("x))", "f(", "", false, "x)")]         // one closer too many
    [InlineData("x]", "f(", "", false, "x")]           // wrong kind
    [InlineData("g(y", "x = ", "", false, "g")]        // opens more than it closes, single line
    [InlineData("(x) {", "if ", "", false, "(x) {")]   // ends with an opener: the block goes on below
    [InlineData("f(a, {", "x = ", "", false, "f(a, {")] // so does a call over several lines
    [InlineData("call_soon(self._add_reader,", "loop.", "", false, "call_soon(self._add_reader,")] // arguments go on below
    [InlineData("{\n    a", "if (x) ", "", true, "{\n    a")] // a block may stay open in multi-line mode
    [InlineData("a}", "{\n", "\n}", true, "a")]        // next line's closer already closes the block
    [InlineData("g(h(1), 2)", "x = ", "", false, "g(h(1), 2)")]
    public void BracketBalance_Balance(string completion, string prefix, string suffix, bool multiLine, string expected)
        => Assert.Equal(expected, BracketBalance.Balance(completion, prefix, suffix, multiLine));

    [Theory]
    [InlineData("def f(x):", "", "python", true)]
    [InlineData("def f(x):\n    ", "\n", "python", true)]   // caret on the fresh indented line
    [InlineData("if (x) {", "", "csharp", true)]
    [InlineData("if (x) {\n    ", "\n}", "csharp", true)]   // editor auto-closed the block
    [InlineData("if (x) {", "}", "csharp", false)]          // text after the caret on the line
    [InlineData("x = fo", "", "python", false)]             // mid-statement
    [InlineData("items.each do", "", "ruby", true)]
    [InlineData("weirdo", "", "ruby", false)]
    [InlineData("value:", "", "csharp", false)]             // ':' opens blocks only in Python
    public void LineMode_IsMultiLine(string prefix, string suffix, string languageId, bool expected)
        => Assert.Equal(expected, LineMode.IsMultiLine(prefix, suffix, languageId));

    [Theory]
    [InlineData("a = 1\nb = 2", "a = 1")]
    [InlineData("\nb", "")]
    [InlineData("one line", "one line")]
    public void LineMode_FirstLine(string completion, string expected)
        => Assert.Equal(expected, LineMode.FirstLine(completion));

    [Theory]
    [InlineData("return x # done", "return x ", "#")]
    [InlineData("a<|end|>b", "a", "<|end|>", ";;")]
    [InlineData("a;;b<|end|>", "a", "<|end|>", ";;")]   // the earliest stop wins
    [InlineData("abc", "abc", "")]                       // empty stops are ignored
    public void StopSequences_Truncate(string completion, string expected, params string[] stops)
        => Assert.Equal(expected, StopSequences.Truncate(completion, stops));

    [Theory]
    [InlineData("x = 1   ", "", "x = 1")]
    [InlineData("a  \n  b\t\n", "\nnext", "a\n  b")]
    [InlineData("x ", "y", "x ")]                         // a space before existing text is kept
    [InlineData("x\n    ", "y", "x")]                     // a dangling line break is not
    public void TrailingWhitespace_Trim(string completion, string suffix, string expected)
        => Assert.Equal(expected, TrailingWhitespace.Trim(completion, suffix));

    [Theory]
    [InlineData("load(handle))\nnext", "return json.", ")", false, "load(handle)")]
    [InlineData("\n    return x\n\n", "def f(x):", "", true, "\n    return x")]
    public void CompletionPostProcessor_Process_AppliesEveryRule(string raw, string prefix, string suffix, bool multiLine, string expected)
        => Assert.Equal(expected, CompletionPostProcessor.Process(raw, prefix, suffix, multiLine, []));
}
