namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>The checkout the tests run from.</summary>
internal static class Repository
{
    /// <summary>The folder holding Code4me.Lsp.sln, found upwards from the test's output folder.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Code4me.Lsp.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Code4me.Lsp.sln not found above the test directory.");
        }
    }

    /// <summary>A folder under <c>artifacts/</c> (ignored by git; CI keeps it), created if missing.</summary>
    public static string Artifacts(string name) => Directory.CreateDirectory(Path.Combine(Root, "artifacts", name)).FullName;
}
