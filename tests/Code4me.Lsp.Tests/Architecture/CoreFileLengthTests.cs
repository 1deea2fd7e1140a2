using Code4me.Lsp.IntegrationTests.Support;

namespace Code4me.Lsp.Tests.Architecture;

/// <summary>
/// ARCHITECTURE.md: every file of Core reads in one sitting. Counted are the lines of code, not documentation comments
/// or blank lines; a file that grows past the limit is split where it has a seam (as NGramModel was into GramTables,
/// NGramDecoder and SnippetRetrieval), not for the number's sake.
/// </summary>
public sealed class CoreFileLengthTests
{
    private const int MaxCodeLines = 400;

    [Fact]
    public void EveryCoreSourceFile_HasAtMost400LinesOfCode()
    {
        var core = Path.Combine(Repository.Root, "server", "Code4me.Lsp.Core");
        var files = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);

        var tooLong = files
            .Select(f => (File: Path.GetRelativePath(core, f), Lines: CodeLines(File.ReadLines(f))))
            .Where(f => f.Lines > MaxCodeLines)
            .Select(f => $"{f.File}: {f.Lines} lines of code")
            .ToList();
        Assert.Empty(tooLong);
    }

    [Fact]
    public void CodeLines_CountsNeitherDocumentationNorBlankLines() =>
        Assert.Equal(2, CodeLines(["/// <summary>x</summary>", "", "  // why", "int a = 1;", "   ", "  return a; // done"]));

    private static int CodeLines(IEnumerable<string> lines) => lines.Count(line =>
    {
        var text = line.TrimStart();
        return text.Length > 0 && !text.StartsWith("//", StringComparison.Ordinal);
    });
}
