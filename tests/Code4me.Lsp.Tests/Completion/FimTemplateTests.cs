using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Remote;

namespace Code4me.Lsp.Tests.Completion;

public class FimTemplateTests
{
    [Theory]
    [InlineData(FimTemplateKind.StarCoder, "<fim_prefix>def f(<fim_suffix>)\n<fim_middle>")]
    [InlineData(FimTemplateKind.DeepSeekCoder, "<｜fim▁begin｜>def f(<｜fim▁hole｜>)\n<｜fim▁end｜>")]
    [InlineData(FimTemplateKind.CodeLlama, "<PRE> def f( <SUF>)\n <MID>")]
    [InlineData(FimTemplateKind.Qwen25Coder, "<|fim_prefix|>def f(<|fim_suffix|>)\n<|fim_middle|>")]
    [InlineData(FimTemplateKind.Codestral, "[SUFFIX])\n[PREFIX]def f(")]
    public void Render_BuiltInTemplates_PutPrefixAndSuffixInThePrompt(FimTemplateKind kind, string expected)
    {
        var (prompt, suffix) = FimTemplate.Render(kind, null, "def f(", ")\n");

        Assert.Equal(expected, prompt);
        Assert.Null(suffix);
    }

    [Fact]
    public void Render_SuffixField_SendsTheSuffixSeparately()
        => Assert.Equal(("ctx\ndef f(", ")\n"), FimTemplate.Render(FimTemplateKind.SuffixField, null, "def f(", ")\n", "ctx\n"));

    [Fact]
    public void Render_CodeContainingPlaceholders_IsNotSubstitutedTwice()
    {
        var (prompt, _) = FimTemplate.Render(FimTemplateKind.Custom, "A{prefix}B{suffix}C{context}D{other}", "x = '{suffix}'", "y = '{prefix}'", "#c");

        Assert.Equal("Ax = '{suffix}'By = '{prefix}'C#cD{other}", prompt);
    }

    [Fact]
    public void ContextBlock_MostRecentFirst_WithinTheBudget()
    {
        ContextSnippet[] snippets = [new("a.py", "python", "import os\nos.getcwd()"), new("b.py", "python", new string('x', 500))];

        var block = FimTemplate.ContextBlock(snippets, "python", 60);

        Assert.StartsWith("# Path: a.py\nimport os\nos.getcwd()\n# Path: b.py\n", block, StringComparison.Ordinal);
        Assert.True(block.Length <= 60);
    }
}
