using System.Buffers;
using System.IO.Pipelines;

namespace Code4me.Lsp.Rpc;

/// <summary>
/// A pass-through <see cref="PipeReader"/> that remembers the buffer it last handed out, so that after a
/// broken header the input can be skipped to the start of the next <c>Content-Length:</c> line.
/// StreamJsonRpc's header parser throws without advancing the reader; this is what lets the
/// connection survive that.
/// </summary>
internal sealed class ResyncPipeReader(PipeReader inner) : PipeReader
{
    private static readonly byte[] s_nextHeader = "Content-Length:"u8.ToArray();

    private ReadResult? _pending;

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await inner.ReadAsync(cancellationToken);
        _pending = result;
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (inner.TryRead(out result))
        {
            _pending = result;
            return true;
        }

        return false;
    }

    public override void AdvanceTo(SequencePosition consumed)
    {
        _pending = null;
        inner.AdvanceTo(consumed);
    }

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _pending = null;
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    /// <summary>
    /// Discards input up to the next <c>Content-Length:</c> (searching from the second byte, so the broken
    /// header itself is always skipped). Returns false at the end of input.
    /// </summary>
    public async ValueTask<bool> SkipToNextHeaderAsync(CancellationToken cancellationToken)
    {
        var result = _pending ?? await ReadAsync(cancellationToken);
        while (true)
        {
            var buffer = result.Buffer;
            var found = buffer.Length > 1 ? IndexOf(buffer.Slice(1), s_nextHeader) : -1;
            if (found >= 0)
            {
                AdvanceTo(buffer.GetPosition(found + 1));
                return true;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                AdvanceTo(buffer.End);
                return false;
            }

            // Keep a tail that could be the start of a header split across reads.
            var keep = Math.Min(buffer.Length, s_nextHeader.Length - 1);
            AdvanceTo(buffer.GetPosition(buffer.Length - keep), buffer.End);
            result = await ReadAsync(cancellationToken);
        }
    }

    private static long IndexOf(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> value)
    {
        if (buffer.IsSingleSegment)
        {
            return buffer.FirstSpan.IndexOf(value);
        }

        // Headers are small; a broken stream is rare. Copying here keeps the search simple.
        return buffer.ToArray().AsSpan().IndexOf(value);
    }
}
