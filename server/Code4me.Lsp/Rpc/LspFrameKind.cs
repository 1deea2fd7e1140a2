namespace Code4me.Lsp.Rpc;

/// <summary>What <see cref="LspFrameReader"/> found next in the input.</summary>
internal enum LspFrameKind
{
    /// <summary>A header and a body within the limit.</summary>
    Message,

    /// <summary>A broken header, skipped (to the next <c>Content-Length:</c>, or to the end of the input).</summary>
    BrokenHeader,

    /// <summary>A body over the limit, discarded unread.</summary>
    Oversized,

    /// <summary>A body cut short by the end of the input.</summary>
    Truncated,

    /// <summary>The end of the input, between frames.</summary>
    EndOfInput,
}
