namespace Code4me.Lsp.IntegrationTests.Spool;

/// <summary>A fresh directory under the system temp directory, deleted at dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("code4me-spool-").FullName;

    public string[] Segments() => [.. Directory.GetFiles(Path, "*.seg").Order(StringComparer.Ordinal)];

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
