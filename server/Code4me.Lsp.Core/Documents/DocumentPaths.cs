namespace Code4me.Lsp.Core.Documents;

/// <summary>File paths of documents, which the editor names by URI.</summary>
public static class DocumentPaths
{
    /// <summary>The local path of a <c>file:</c> URI; any other URI (<c>untitled:</c>, a remote scheme) as it is.</summary>
    public static string FromUri(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile ? parsed.LocalPath : uri;
}
