using System.Buffers;

namespace Code4me.Lsp.Rpc;

/// <summary>One result of <see cref="LspFrameReader.ReadAsync"/>.</summary>
/// <param name="Kind">What was read.</param>
/// <param name="Body">A message's body (valid until <see cref="LspFrameReader.Release"/>).</param>
/// <param name="Length">The declared Content-Length.</param>
/// <param name="Received">For a truncated frame, the bytes of its body that arrived; for an oversized one, the limit (its body is still to be discarded with <see cref="LspFrameReader.DiscardAsync"/>).</param>
/// <param name="Reason">Why a header was broken.</param>
/// <param name="Resumed">For a broken header, whether another header was found after it.</param>
/// <param name="Request">For an oversized frame, the id and method of the request it begins with, if they came first.</param>
internal readonly record struct LspFrame(
    LspFrameKind Kind,
    ReadOnlySequence<byte> Body,
    long Length,
    long Received,
    string? Reason,
    bool Resumed,
    SniffedRequest? Request)
{
    public static LspFrame EndOfInput => new(LspFrameKind.EndOfInput, default, 0, 0, null, false, null);

    public static LspFrame Header(long length) => new(LspFrameKind.Message, default, length, 0, null, false, null);

    public static LspFrame Message(ReadOnlySequence<byte> body) => new(LspFrameKind.Message, body, body.Length, body.Length, null, false, null);

    public static LspFrame Broken(string reason, bool resumed) => new(LspFrameKind.BrokenHeader, default, 0, 0, reason, resumed, null);

    public static LspFrame Oversized(long length, long limit, SniffedRequest? request) => new(LspFrameKind.Oversized, default, length, limit, null, false, request);

    public static LspFrame Truncated(long length, long received) => new(LspFrameKind.Truncated, default, length, received, null, false, null);
}
