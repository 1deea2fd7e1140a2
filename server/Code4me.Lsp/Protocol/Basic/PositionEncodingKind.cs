namespace Code4me.Lsp.Protocol;

/// <summary>The position encodings of the spec.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#positionEncodingKind"/>
/// <remarks>Since LSP 3.17.</remarks>
internal static class PositionEncodingKind
{
    public const string Utf8 = "utf-8";
    public const string Utf16 = "utf-16";
    public const string Utf32 = "utf-32";
}
