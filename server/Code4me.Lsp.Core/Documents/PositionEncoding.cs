namespace Code4me.Lsp.Core.Documents;

/// <summary>How a position's character offset counts: the unit negotiated with the client at initialize.</summary>
public enum PositionEncoding
{
    /// <summary>UTF-16 code units (the LSP default, and what the rope stores).</summary>
    Utf16,

    /// <summary>UTF-8 bytes.</summary>
    Utf8,

    /// <summary>Unicode code points.</summary>
    Utf32,
}
