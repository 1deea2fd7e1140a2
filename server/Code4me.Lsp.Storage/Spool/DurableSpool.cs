using Code4me.Lsp.Core.Privacy;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Storage.Spool;

/// <summary>
/// The durable local spool: append-only segment files of checksummed records, an atomically replaced
/// acknowledgement watermark, replay of everything not acknowledged. Thread-safe; every call is short local I/O.
/// </summary>
/// <remarks>
/// <para>Layout: <c>{firstSequence:D20}.seg</c> files, each starting with the 8-byte magic <c>C4MSPL01</c> and
/// then frames <c>[u32 payload length][u32 CRC-32 of (sequence, payload)][u64 sequence][payload]</c>, little endian;
/// sequences rise by one per record across segments and restarts. <c>ack</c> holds the highest acknowledged
/// sequence (u64 + its CRC-32), replaced by write-temp, fsync, rename, fsync directory. <c>lock</c> is held
/// exclusively while the spool is open, so two servers never share one directory.</para>
/// <para>Guarantees: a record whose <see cref="Append"/> returned is on disk (fsync'd per batch) and is replayed by
/// every later open until acknowledged; an acknowledged record is never replayed; a torn or corrupt frame (a crash
/// mid-write, a flipped bit) and everything after it in that segment is cut off at open with a warning, never an
/// exception. Segments whose records are all acknowledged are deleted. Past <c>maxBytes</c> records are refused and
/// counted as dropped.</para>
/// </remarks>
internal sealed class DurableSpool : IDisposable
{
    public const int HeaderLength = SpoolFormat.HeaderLength;
    private const string LockFile = "lock";

    /// <summary>What a spool directory holds: segments, the acknowledgement, the lock, the installation id and the
    /// directories of servers that ran beside another.</summary>
    private static bool IsSpoolEntry(string name) =>
        name.EndsWith(SpoolFormat.SegmentExtension, StringComparison.Ordinal) || name.StartsWith(SpoolFormat.AckFile, StringComparison.Ordinal)
        || name is LockFile or "installation-id" or "installation-id.lock" || name.StartsWith("instance-", StringComparison.Ordinal);

    private readonly string _directory;
    private readonly long _segmentBytes;
    private readonly long _maxBytes;
    private readonly long _warnBytes;
    private readonly ILogger _logger;
    private readonly ITelemetrySpoolAlerts? _alerts;
    private readonly Lock _gate = new();
    private readonly List<SpoolSegment> _segments = [];
    private readonly FileStream _lock;
    private FileStream? _active;
    private long _nextSequence;
    private long _ackedSequence;
    private long _droppedCount;
    private bool _nearBound;
    private bool _dropping;
    private (SpoolSegment Segment, long AfterSequence, long Offset)? _readCursor;

    private DurableSpool(string directory, long segmentBytes, long maxBytes, int warnAtPercent, ILogger logger, ITelemetrySpoolAlerts? alerts, FileStream lockStream)
    {
        _directory = directory;
        _segmentBytes = segmentBytes;
        _maxBytes = maxBytes;
        _warnBytes = maxBytes / 100 * warnAtPercent;
        _logger = logger;
        _alerts = alerts;
        _lock = lockStream;
    }

    public string Directory => _directory;

    /// <summary>Bytes of all segment files on disk.</summary>
    public long TotalBytes
    {
        get
        {
            lock (_gate)
            {
                return _segments.Sum(s => s.Length);
            }
        }
    }

    /// <summary>True when every appended record has been acknowledged.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return LastSequenceLocked <= _ackedSequence;
            }
        }
    }

    public long AcknowledgedSequence
    {
        get
        {
            lock (_gate)
            {
                return _ackedSequence;
            }
        }
    }

    public long LastSequence
    {
        get
        {
            lock (_gate)
            {
                return LastSequenceLocked;
            }
        }
    }

    /// <summary>Records refused since open because the spool was at its bound.</summary>
    public long DroppedCount => Interlocked.Read(ref _droppedCount);

    private long LastSequenceLocked => _nextSequence - 1;

    /// <summary>
    /// Opens the spool in <paramref name="directory"/>, or, if another process holds it, in the first free
    /// <c>instance-N</c> subdirectory (its records are replayed by whichever server opens it next). Scans every
    /// segment, cutting off torn or corrupt tails.
    /// </summary>
    public static DurableSpool Open(string directory, long segmentBytes, long maxBytes, int warnAtPercent, ILogger logger, ITelemetrySpoolAlerts? alerts = null)
    {
        for (var instance = 0; instance <= 16; instance++)
        {
            var candidate = instance == 0 ? directory : Path.Combine(directory, $"instance-{instance}");
            if (TryOpenExact(candidate, segmentBytes, maxBytes, warnAtPercent, logger, alerts) is { } spool)
            {
                return spool;
            }
        }

        throw new IOException($"The telemetry spool {directory} and its instance directories are all held by other processes.");
    }

    /// <summary>
    /// Opens the spool in exactly <paramref name="directory"/> (no <c>instance-N</c> fallback); null when another
    /// process holds it (a running server uploads its own spool). Used by <c>code4me-lsp telemetry flush|status</c>.
    /// </summary>
    public static DurableSpool? TryOpenExact(string directory, long segmentBytes, long maxBytes, int warnAtPercent, ILogger logger, ITelemetrySpoolAlerts? alerts = null)
    {
        OwnerOnlyFiles.CreateDirectory(directory, IsSpoolEntry);
        FileStream lockStream;
        try
        {
            lockStream = new FileStream(Path.Combine(directory, LockFile), OwnerOnlyFiles.Options(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null; // held by another server
        }

        var spool = new DurableSpool(directory, segmentBytes, maxBytes, warnAtPercent, logger, alerts, lockStream);
        try
        {
            spool.Recover();
            return spool;
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends the payloads as one batch and fsyncs it. Returns the sequence of each payload, or 0 for one refused
    /// because the spool is at its bound (counted in <see cref="DroppedCount"/>, logged and alerted).
    /// </summary>
    public long[] Append(IReadOnlyList<byte[]> payloads)
    {
        var sequences = new long[payloads.Count];
        var dropped = 0;
        lock (_gate)
        {
            var total = _segments.Sum(s => s.Length);
            var startSequence = _nextSequence;
            var touched = new List<(SpoolSegment Segment, long LengthBefore)>();
            try
            {
                for (var i = 0; i < payloads.Count; i++)
                {
                    var payload = payloads[i];
                    var frameLength = HeaderLength + payload.Length;
                    var needsSegment = _active is null || _segments[^1].PendingLength >= _segmentBytes;
                    if (payload.Length > SpoolFormat.MaxPayloadBytes || total + frameLength + (needsSegment ? SpoolFormat.Magic.Length : 0) > _maxBytes)
                    {
                        dropped++;
                        continue;
                    }

                    if (needsSegment)
                    {
                        total += StartSegment();
                    }

                    var segment = _segments[^1];
                    if (touched.Count == 0 || !ReferenceEquals(touched[^1].Segment, segment))
                    {
                        touched.Add((segment, segment.PendingLength));
                    }

                    var sequence = _nextSequence++;
                    SpoolFormat.WriteFrame(_active!, sequence, payload);
                    segment.PendingLength += frameLength;
                    segment.PendingLast = sequence;
                    total += frameLength;
                    sequences[i] = sequence;
                }

                _active?.Flush(flushToDisk: true);
            }
            catch (IOException e)
            {
                // Disk full or failing: undo the whole batch so the files hold only complete, counted records.
                SpoolLog.AppendFailed(_logger, e, _directory, payloads.Count);
                foreach (var (segment, lengthBefore) in touched)
                {
                    segment.PendingLength = lengthBefore;
                    segment.PendingLast = segment.LastSequence;
                }

                RollBack();
                _nextSequence = startSequence;
                Array.Clear(sequences);
                dropped = payloads.Count;
            }

            foreach (var (segment, _) in touched)
            {
                segment.Length = segment.PendingLength;
                segment.LastSequence = segment.PendingLast;
            }

            Alert(total, dropped);
        }

        return sequences;
    }

    /// <summary>Up to <paramref name="max"/> records with sequences after <paramref name="afterSequence"/>, in order.</summary>
    public IReadOnlyList<(long Sequence, byte[] Payload)> ReadAfter(long afterSequence, int max)
    {
        var result = new List<(long, byte[])>();
        lock (_gate)
        {
            foreach (var segment in _segments)
            {
                if (segment.LastSequence <= afterSequence)
                {
                    continue;
                }

                var offset = _readCursor is var (cursorSegment, cursorAfter, cursorOffset) && ReferenceEquals(cursorSegment, segment) && cursorAfter == afterSequence
                    ? cursorOffset
                    : SpoolFormat.Magic.Length;
                using var stream = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.Position = offset;
                var header = new byte[HeaderLength];
                while (offset < segment.Length && result.Count < max)
                {
                    stream.ReadExactly(header);
                    var (length, sequence) = SpoolFormat.ReadHeader(header);
                    offset += HeaderLength + length;
                    if (sequence <= afterSequence)
                    {
                        stream.Seek(length, SeekOrigin.Current);
                        continue;
                    }

                    var payload = new byte[length];
                    stream.ReadExactly(payload);
                    result.Add((sequence, payload));
                    afterSequence = sequence;
                }

                _readCursor = (segment, afterSequence, offset);
                if (result.Count >= max)
                {
                    break;
                }
            }
        }

        return result;
    }

    /// <summary>Durably records that every record up to <paramref name="sequence"/> is in the database, and deletes fully acknowledged segments.</summary>
    public void Acknowledge(long sequence)
    {
        lock (_gate)
        {
            if (sequence <= _ackedSequence)
            {
                return;
            }

            sequence = Math.Min(sequence, LastSequenceLocked);
            SpoolFormat.WriteAck(_directory, sequence);
            _ackedSequence = sequence;
            var deleted = false;
            for (var i = _segments.Count - 1; i >= 0; i--)
            {
                var segment = _segments[i];
                if (segment.LastSequence > sequence)
                {
                    continue;
                }

                if (i == _segments.Count - 1 && _active is not null)
                {
                    _active.Dispose();
                    _active = null;
                }

                File.Delete(segment.Path);
                _segments.RemoveAt(i);
                deleted = true;
            }

            if (deleted)
            {
                _readCursor = null;
            }

            DirectorySync.Flush(_directory);
            Alert(_segments.Sum(s => s.Length), 0);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _active?.Dispose();
            _active = null;
            _lock.Dispose();
        }
    }

    private void Recover()
    {
        File.Delete(Path.Combine(_directory, SpoolFormat.AckFile + ".tmp"));
        // Spooled by a version that left them readable by everyone. Only the spool's own files: the directory may be one
        // the user named that holds other things.
        foreach (var file in System.IO.Directory.EnumerateFiles(_directory).Where(f => IsSpoolEntry(Path.GetFileName(f))))
        {
            OwnerOnlyFiles.TightenFile(file);
        }

        _ackedSequence = SpoolFormat.ReadAck(_directory, _logger);
        var last = _ackedSequence;
        long scanned = 0;
        var files = System.IO.Directory.GetFiles(_directory, "*" + SpoolFormat.SegmentExtension)
            .Select(path => (Path: path, First: long.TryParse(Path.GetFileNameWithoutExtension(path), out var first) ? first : -1))
            .Where(f => f.First > 0)
            .OrderBy(f => f.First);
        foreach (var (path, _) in files)
        {
            var (valid, lastSequence) = SpoolFormat.Scan(path, scanned, _logger);
            var segment = new SpoolSegment(path) { Length = valid, PendingLength = valid, LastSequence = lastSequence, PendingLast = lastSequence };
            scanned = Math.Max(scanned, segment.LastSequence);
            last = Math.Max(last, segment.LastSequence);
            if (segment.LastSequence == 0 || segment.LastSequence <= _ackedSequence)
            {
                File.Delete(path);
                continue;
            }

            _segments.Add(segment);
        }

        _nextSequence = last + 1;
        DirectorySync.Flush(_directory);
        var bytes = _segments.Sum(s => s.Length);
        SpoolLog.Opened(_logger, _directory, _segments.Count, LastSequenceLocked - _ackedSequence, bytes);
    }

    /// <summary>Closes the active segment and starts a new one; returns the bytes it adds (its header).</summary>
    private long StartSegment()
    {
        if (_active is not null)
        {
            _active.Flush(flushToDisk: true);
            _active.Dispose();
            _active = null;
        }

        if (_segments.Count > 0 && _segments[^1].PendingLength < _segmentBytes && _segments[^1].Length == _segments[^1].PendingLength && _segments[^1].Length > 0)
        {
            // Reopen the last segment after a restart.
            var last = _segments[^1];
            _active = new FileStream(last.Path, FileMode.Open, FileAccess.Write, FileShare.Read);
            _active.Seek(last.Length, SeekOrigin.Begin);
            return 0;
        }

        var path = Path.Combine(_directory, $"{_nextSequence:D20}{SpoolFormat.SegmentExtension}");
        _active = new FileStream(path, OwnerOnlyFiles.Options(FileMode.CreateNew, FileAccess.Write, FileShare.Read));
        SpoolFormat.WriteSegmentHeader(_active);
        var segment = new SpoolSegment(path) { Length = 0, PendingLength = SpoolFormat.Magic.Length, LastSequence = 0, PendingLast = 0 };
        _segments.Add(segment);
        _active.Flush(flushToDisk: true);
        DirectorySync.Flush(_directory);
        return SpoolFormat.Magic.Length;
    }

    private void RollBack()
    {
        try
        {
            _active?.Dispose();
        }
        catch (IOException)
        {
            // The buffered tail is being discarded anyway.
        }

        _active = null;
        for (var i = _segments.Count - 1; i >= 0; i--)
        {
            var segment = _segments[i];
            if (segment.Length == 0)
            {
                File.Delete(segment.Path);
                _segments.RemoveAt(i);
                continue;
            }

            using var stream = new FileStream(segment.Path, FileMode.Open, FileAccess.Write, FileShare.Read);
            if (stream.Length > segment.Length)
            {
                stream.SetLength(segment.Length);
                stream.Flush(flushToDisk: true);
            }
        }
    }

    private void Alert(long total, int dropped)
    {
        if (total >= _warnBytes && !_nearBound)
        {
            _nearBound = true;
            SpoolLog.NearBound(_logger, _directory, total, _maxBytes);
            _alerts?.NearBound(total, _maxBytes);
        }
        else if (total < _warnBytes * 9 / 10)
        {
            _nearBound = false;
        }

        if (dropped > 0)
        {
            var all = Interlocked.Add(ref _droppedCount, dropped);
            if (!_dropping)
            {
                SpoolLog.Dropping(_logger, _directory, _maxBytes, all);
            }

            _dropping = true;
            _alerts?.Dropped(all);
        }
        else if (total < _maxBytes)
        {
            _dropping = false;
        }
    }
}
