using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;

namespace Code4me.Lsp.Rpc;

/// <summary>
/// Reads the LSP base protocol (<c>Content-Length</c> headers, then a body) from a pipe, with bounded memory:
/// <list type="bullet">
/// <item>a header section is at most <see cref="MaxHeaderBytes"/>; a broken one is skipped to the next
/// <c>Content-Length:</c> in the input (a missing or non-numeric length, a line without a colon, a charset other than UTF-8);</item>
/// <item>a body longer than the limit is never buffered: its first <see cref="SniffBytes"/> are read to find the id of
/// the request it may be, then <see cref="DiscardAsync"/> drops it as it streams in;</item>
/// <item>a frame cut short by the end of the input ends reading.</item>
/// </list>
/// StreamJsonRpc's own reader would wait for and hold any declared length, and throws on a broken header without advancing.
/// </summary>
internal sealed class LspFrameReader(PipeReader reader, Func<long> maxMessageBytes)
{
    public const int MaxHeaderBytes = 8 * 1024;
    public const int SniffBytes = 64 * 1024;

    /// <summary>Bodies larger than this get an array of their own instead of staying in the pipe's pooled buffers.</summary>
    public const int LargeBodyBytes = 1024 * 1024;

    private static readonly byte[] s_contentLength = "Content-Length"u8.ToArray();
    private static readonly byte[] s_contentType = "Content-Type"u8.ToArray();
    private static readonly byte[] s_nextHeader = "Content-Length:"u8.ToArray();

    private long _bodyEnd = -1;
    private ReadOnlySequence<byte> _body;

    /// <summary>
    /// The next frame. A <see cref="LspFrameKind.Message"/>'s body stays valid until <see cref="Release"/>, which must be
    /// called before the next read.
    /// </summary>
    public async ValueTask<LspFrame> ReadAsync(CancellationToken cancellationToken)
    {
        var header = await ReadHeaderAsync(cancellationToken);
        if (header.Kind != LspFrameKind.Message)
        {
            return header;
        }

        var length = header.Length;
        var limit = maxMessageBytes();
        if (length > limit)
        {
            return await SniffAsync(length, limit, cancellationToken);
        }

        if (length > LargeBodyBytes)
        {
            return await ReadLargeBodyAsync((int)length, cancellationToken);
        }

        var result = await reader.ReadAtLeastAsync((int)length, cancellationToken);
        if (result.Buffer.Length < length)
        {
            reader.AdvanceTo(result.Buffer.End);
            return LspFrame.Truncated(length, result.Buffer.Length);
        }

        _body = result.Buffer.Slice(0, length);
        _bodyEnd = length;
        return LspFrame.Message(_body);
    }

    /// <summary>
    /// A large body is copied, as it arrives, into an array of its own: the pipe never holds it, and the array goes with
    /// the message instead of staying in <see cref="ArrayPool{T}.Shared"/> (where the pipe's and the JSON parser's
    /// buffers of a 20 MB message would otherwise stay, rounded up to 32 MB each, long after the message is gone).
    /// </summary>
    private async ValueTask<LspFrame> ReadLargeBodyAsync(int length, CancellationToken cancellationToken)
    {
        var body = GC.AllocateUninitializedArray<byte>(length);
        var filled = 0;
        while (filled < length)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var take = (int)Math.Min(length - filled, result.Buffer.Length);
            result.Buffer.Slice(0, take).CopyTo(body.AsSpan(filled));
            reader.AdvanceTo(result.Buffer.GetPosition(take));
            filled += take;
            if (filled < length && result.IsCompleted)
            {
                return LspFrame.Truncated(length, filled);
            }
        }

        return LspFrame.Message(new ReadOnlySequence<byte>(body));
    }

    /// <summary>Gives back the buffer of the last message read.</summary>
    public void Release()
    {
        if (_bodyEnd >= 0)
        {
            reader.AdvanceTo(_body.End);
            _body = default;
            _bodyEnd = -1;
        }
    }

    private async ValueTask<LspFrame> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.IsEmpty && result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                return LspFrame.EndOfInput;
            }

            var status = ParseHeader(buffer, out var end, out var length, out var reason);
            if (status == HeaderStatus.Complete)
            {
                reader.AdvanceTo(end);
                return LspFrame.Header(length);
            }

            if (status == HeaderStatus.Broken || result.IsCompleted)
            {
                reason ??= "the input ended inside a message header";
                var resumed = await SkipToNextHeaderAsync(buffer, result.IsCompleted, cancellationToken);
                return LspFrame.Broken(reason, resumed);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private enum HeaderStatus
    {
        NeedMore,
        Complete,
        Broken,
    }

    private static HeaderStatus ParseHeader(ReadOnlySequence<byte> buffer, out SequencePosition end, out long length, out string? reason)
    {
        var lines = new SequenceReader<byte>(buffer);
        long? contentLength = null;
        end = default;
        length = 0;
        reason = null;
        Span<byte> scratch = stackalloc byte[256];
        while (lines.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            if (lines.Consumed > MaxHeaderBytes)
            {
                reason = $"the header section is longer than {MaxHeaderBytes} bytes";
                return HeaderStatus.Broken;
            }

            var text = line.Length <= scratch.Length ? Flatten(line, scratch) : [];
            if (line.Length > scratch.Length)
            {
                reason = "a header line is longer than 256 bytes";
                return HeaderStatus.Broken;
            }

            if (text.Length > 0 && text[^1] == (byte)'\r')
            {
                text = text[..^1];
            }

            if (text.IsEmpty)
            {
                if (contentLength is not { } value)
                {
                    reason = "no Content-Length header";
                    return HeaderStatus.Broken;
                }

                end = lines.Position;
                length = value;
                return HeaderStatus.Complete;
            }

            var colon = text.IndexOf((byte)':');
            if (colon <= 0)
            {
                reason = "a header line is not 'Name: value'";
                return HeaderStatus.Broken;
            }

            var name = text[..colon].Trim((byte)' ');
            var headerValue = text[(colon + 1)..].Trim((byte)' ');
            if (name.SequenceEqual(s_contentLength))
            {
                if (!Utf8Parser.TryParse(headerValue, out long parsed, out var consumed) || consumed != headerValue.Length || parsed < 0)
                {
                    reason = "Content-Length is not a non-negative integer";
                    return HeaderStatus.Broken;
                }

                contentLength = parsed;
            }
            else if (name.SequenceEqual(s_contentType) && !IsUtf8(headerValue))
            {
                reason = "Content-Type names a charset other than UTF-8";
                return HeaderStatus.Broken;
            }
        }

        if (lines.Remaining > MaxHeaderBytes)
        {
            reason = $"no end of header line within {MaxHeaderBytes} bytes";
            return HeaderStatus.Broken;
        }

        return HeaderStatus.NeedMore;
    }

    private static ReadOnlySpan<byte> Flatten(ReadOnlySequence<byte> line, Span<byte> scratch)
    {
        if (line.IsSingleSegment)
        {
            return line.FirstSpan;
        }

        line.CopyTo(scratch);
        return scratch[..(int)line.Length];
    }

    private static bool IsUtf8(ReadOnlySpan<byte> contentType)
    {
        var at = contentType.IndexOf("charset="u8);
        if (at < 0)
        {
            return true;
        }

        var charset = contentType[(at + "charset=".Length)..];
        var semicolon = charset.IndexOf((byte)';');
        charset = (semicolon >= 0 ? charset[..semicolon] : charset).Trim((byte)' ').Trim((byte)'"');
        return System.Text.Ascii.EqualsIgnoreCase(charset, "utf-8"u8) || System.Text.Ascii.EqualsIgnoreCase(charset, "utf8"u8);
    }

    /// <summary>
    /// Discards input up to the next <c>Content-Length:</c>, searching from the second byte so the broken header itself
    /// is always skipped. False at the end of the input.
    /// </summary>
    private async ValueTask<bool> SkipToNextHeaderAsync(ReadOnlySequence<byte> buffer, bool completed, CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = buffer.Length > 1 ? IndexOf(buffer.Slice(1), s_nextHeader) : -1;
            if (found >= 0)
            {
                reader.AdvanceTo(buffer.GetPosition(found + 1));
                return true;
            }

            if (completed)
            {
                reader.AdvanceTo(buffer.End);
                return false;
            }

            // Keep a tail that could be the start of a header split across reads.
            var keep = Math.Min(buffer.Length, s_nextHeader.Length);
            reader.AdvanceTo(buffer.GetPosition(buffer.Length - keep), buffer.End);
            var result = await reader.ReadAsync(cancellationToken);
            buffer = result.Buffer;
            completed = result.IsCompleted;
        }
    }

    /// <summary>Reads just enough of an oversized body to find the id of the request it may begin with.</summary>
    private async ValueTask<LspFrame> SniffAsync(long length, long limit, CancellationToken cancellationToken)
    {
        var result = await reader.ReadAtLeastAsync((int)Math.Min(length, SniffBytes), cancellationToken);
        var prefix = result.Buffer.Slice(0, Math.Min(result.Buffer.Length, Math.Min(length, SniffBytes)));
        var sniffed = JsonRpcEnvelope.SniffRequestId(prefix);
        // Nothing consumed or examined: the discard starts from the same bytes without waiting for more.
        reader.AdvanceTo(result.Buffer.Start);
        return LspFrame.Oversized(length, limit, sniffed);
    }

    /// <summary>
    /// Drops the body of the oversized frame just read as it arrives, holding none of it. False when the input ended first.
    /// </summary>
    public async ValueTask<bool> DiscardAsync(long length, CancellationToken cancellationToken)
    {
        var remaining = length;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var take = Math.Min(remaining, result.Buffer.Length);
            reader.AdvanceTo(result.Buffer.GetPosition(take));
            remaining -= take;
            if (remaining == 0)
            {
                return true;
            }

            if (result.IsCompleted)
            {
                return false;
            }
        }
    }

    private static long IndexOf(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> value)
    {
        if (buffer.IsSingleSegment)
        {
            return buffer.FirstSpan.IndexOf(value);
        }

        var search = new SequenceReader<byte>(buffer);
        while (search.TryAdvanceTo(value[0], advancePastDelimiter: false))
        {
            if (search.IsNext(value))
            {
                return search.Consumed;
            }

            search.Advance(1);
        }

        return -1;
    }
}
