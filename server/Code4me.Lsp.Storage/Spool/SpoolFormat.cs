using System.Buffers.Binary;
using System.IO.Hashing;
using Code4me.Lsp.Core.Privacy;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Storage.Spool;

/// <summary>
/// The spool's bytes on disk, apart from what the spool does with them (<see cref="DurableSpool"/>): a segment is the
/// 8-byte magic <c>C4MSPL01</c> then frames <c>[u32 payload length][u32 CRC-32 of (sequence, payload)][u64 sequence][payload]</c>,
/// little endian; the acknowledgement file is a u64 sequence and its CRC-32, replaced by write-temp, fsync, rename.
/// </summary>
internal static class SpoolFormat
{
    public const int HeaderLength = 16;
    public const int MaxPayloadBytes = 64 * 1024 * 1024;
    public const string SegmentExtension = ".seg";
    public const string AckFile = "ack";

    public static ReadOnlySpan<byte> Magic => "C4MSPL01"u8;

    public static void WriteSegmentHeader(FileStream stream) => stream.Write(Magic);

    public static void WriteFrame(FileStream stream, long sequence, byte[] payload)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], sequence);
        var hash = new Crc32();
        hash.Append(header[8..]);
        hash.Append(payload);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], hash.GetCurrentHashAsUInt32());
        stream.Write(header);
        stream.Write(payload);
    }

    /// <summary>A frame header's payload length and sequence (the frame was checked when its segment was scanned).</summary>
    public static (int Length, long Sequence) ReadHeader(ReadOnlySpan<byte> header) =>
        (BinaryPrimitives.ReadInt32LittleEndian(header), BinaryPrimitives.ReadInt64LittleEndian(header[8..]));

    /// <summary>
    /// Validates every frame of a segment and truncates it at the first bad one (a torn or oversized frame, a checksum
    /// mismatch, a sequence not above <paramref name="previousSequence"/>), with a warning.
    /// </summary>
    /// <returns>The valid length in bytes and the last valid sequence (0 when none).</returns>
    public static (long Valid, long LastSequence) Scan(string path, long previousSequence, ILogger logger)
    {
        // The directory lock gives exclusivity. One large buffer and one reused payload array: a full spool (256 MiB)
        // is checked at every start, in the background, so this costs reads and CRCs, not allocations.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 1 << 20);
        var fileLength = stream.Length;
        var magic = new byte[Magic.Length];
        long valid = 0;
        long lastSequence = 0;
        var records = 0;
        string? problem = null;
        if (fileLength < Magic.Length || stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false) < magic.Length || !magic.AsSpan().SequenceEqual(Magic))
        {
            problem = "no segment header";
        }
        else
        {
            valid = Magic.Length;
            var header = new byte[HeaderLength];
            var payload = new byte[64 * 1024];
            while (valid < fileLength)
            {
                if (fileLength - valid < HeaderLength)
                {
                    problem = "a torn frame header";
                    break;
                }

                stream.ReadExactly(header);
                var length = BinaryPrimitives.ReadInt32LittleEndian(header);
                var crc = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
                var sequence = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
                if (length < 0 || length > MaxPayloadBytes || valid + HeaderLength + length > fileLength)
                {
                    problem = "a torn or oversized frame";
                    break;
                }

                if (payload.Length < length)
                {
                    payload = new byte[Math.Max(length, payload.Length * 2)];
                }

                stream.ReadExactly(payload, 0, length);
                var hash = new Crc32();
                hash.Append(header.AsSpan(8, 8));
                hash.Append(payload.AsSpan(0, length));
                if (hash.GetCurrentHashAsUInt32() != crc)
                {
                    problem = "a checksum mismatch";
                    break;
                }

                if (sequence <= previousSequence)
                {
                    problem = "a sequence out of order";
                    break;
                }

                previousSequence = lastSequence = sequence;
                valid += HeaderLength + length;
                records++;
            }
        }

        if (problem is not null)
        {
            SpoolLog.Truncated(logger, Path.GetFileName(path), problem, valid, fileLength - valid, records);
            stream.SetLength(valid);
            stream.Flush(flushToDisk: true);
        }

        return (valid, lastSequence);
    }

    /// <summary>The acknowledged sequence of <paramref name="directory"/>; 0 when there is none (or, short of disk corruption, it is unreadable).</summary>
    public static long ReadAck(string directory, ILogger logger)
    {
        var path = Path.Combine(directory, AckFile);
        if (!File.Exists(path))
        {
            return 0;
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 12 && Crc32.HashToUInt32(bytes.AsSpan(0, 8)) == BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)))
        {
            return BinaryPrimitives.ReadInt64LittleEndian(bytes);
        }

        // Cannot happen short of disk corruption (the file is replaced by rename); replaying is the safe side.
        SpoolLog.AckUnreadable(logger, path);
        return 0;
    }

    /// <summary>Replaces the acknowledgement atomically (the caller fsyncs the directory).</summary>
    public static void WriteAck(string directory, long sequence)
    {
        var temp = Path.Combine(directory, AckFile + ".tmp");
        using (var stream = new FileStream(temp, OwnerOnlyFiles.Options(FileMode.Create, FileAccess.Write, FileShare.None)))
        {
            var buffer = new byte[12];
            BinaryPrimitives.WriteInt64LittleEndian(buffer, sequence);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), Crc32.HashToUInt32(buffer.AsSpan(0, 8)));
            stream.Write(buffer);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, Path.Combine(directory, AckFile), overwrite: true);
    }
}
