namespace Code4me.Lsp.Hosting;

/// <summary>Bounds on what the client may send (section <c>Code4me:Limits</c>).</summary>
internal sealed class LimitsOptions
{
    public const string Section = "Code4me:Limits";

    /// <summary>The largest message body (Content-Length) read; a larger frame is discarded unread. 64 MiB.</summary>
    public long MaxMessageBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The largest document, in UTF-16 code units; a didOpen or didChange beyond it is refused. 16 M.</summary>
    public int MaxDocumentChars { get; set; } = 16 * 1024 * 1024;
}
