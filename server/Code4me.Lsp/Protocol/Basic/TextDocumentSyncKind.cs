namespace Code4me.Lsp.Protocol;

/// <summary>How documents are synchronised.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#textDocumentSyncKind"/>
internal static class TextDocumentSyncKind
{
    public const int None = 0;
    public const int Full = 1;
    public const int Incremental = 2;
}
