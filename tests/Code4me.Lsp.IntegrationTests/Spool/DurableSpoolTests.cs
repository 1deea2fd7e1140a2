using System.Text;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.IntegrationTests.Spool;

/// <summary>The spool on real files: framing, replay, torn and corrupt tails, acknowledgement, rotation, the bound.</summary>
public sealed class DurableSpoolTests(ITestOutputHelper output) : SpoolTestBase(output)
{
    [Fact]
    public void Append_ThenReopen_ReplaysEveryRecordInOrder()
    {
        using (var spool = Open())
        {
            Assert.Equal([1L, 2L, 3L], spool.Append(Payloads(0, 3)));
            Assert.Equal([4L, 5L], spool.Append(Payloads(3, 2)));
        }

        using var reopened = Open();
        Assert.Equal(Expected(0, 5), Texts(reopened.ReadAfter(0, 100)));
        Assert.Equal([6L], reopened.Append(Payloads(5, 1)));
        Assert.Equal(Expected(3, 3), Texts(reopened.ReadAfter(3, 100)));
        Assert.False(reopened.IsEmpty);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Open_NewDirectoryOrOneLeftOpenByAnOlderVersion_IsOwnerOnly_AndEveryFile0600()
    {
        const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var fresh = Path.Combine(Dir.Path, "new", "spool");
        using (var spool = DurableSpool.Open(fresh, 1 << 20, 1L << 30, 80, Logger()))
        {
            spool.Append(Payloads(0, 3));
            spool.Acknowledge(1);
            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(fresh));
            Assert.All(Directory.GetFiles(fresh), f => Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(f)));
        }

        // What a version before this one left: 0755 and 0644, code readable by every user of the machine.
        File.SetUnixFileMode(fresh, OwnerOnlyDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        foreach (var file in Directory.GetFiles(fresh))
        {
            File.SetUnixFileMode(file, OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        using var reopened = DurableSpool.Open(fresh, 1 << 20, 1L << 30, 80, Logger());
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(fresh));
        Assert.All(Directory.GetFiles(fresh), f => Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(f)));
        Assert.Equal(Expected(1, 2), Texts(reopened.ReadAfter(1, 100)));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Open_InADirectoryThatHoldsOtherThings_LeavesTheDirectoryAndTheirModesAlone()
    {
        // A user may name a directory of their own (their home, /tmp): only the spool's files become owner-only.
        const UnixFileMode Shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        var theirs = Path.Combine(Dir.Path, "notes.txt");
        File.WriteAllText(theirs, "mine");
        File.SetUnixFileMode(theirs, Readable);
        File.SetUnixFileMode(Dir.Path, Shared);

        using (var spool = Open())
        {
            spool.Append(Payloads(0, 1));
        }

        using var reopened = Open();
        Assert.Equal(Shared, File.GetUnixFileMode(Dir.Path));
        Assert.Equal(Readable, File.GetUnixFileMode(theirs));
        Assert.All(Dir.Segments(), f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }

    [Fact]
    public void Open_TornTail_KeepsExactlyTheCompleteRecords()
    {
        using (var spool = Open())
        {
            spool.Append(Payloads(0, 10));
        }

        var segment = Assert.Single(Dir.Segments());
        var fullLength = new FileInfo(segment).Length;
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(fullLength - 5); // a crash in the middle of the last record
        }

        using var reopened = Open();
        Assert.Equal(Expected(0, 9), Texts(reopened.ReadAfter(0, 100)));
        Assert.Equal(fullLength - DurableSpool.HeaderLength - Payload(9).Length, new FileInfo(segment).Length);
        Assert.Contains(Logs.Lines, l => l.Contains("torn or oversized frame after 9 good record(s)", StringComparison.Ordinal));
        Assert.Equal([10L], reopened.Append(Payloads(100, 1)));
        Assert.Equal([.. Expected(0, 9), "event-100"], Texts(reopened.ReadAfter(0, 100)));
    }

    [Fact]
    public void Open_AbandonedHalfWrittenFrame_LosesNothingFsyncedAndDuplicatesNothing()
    {
        using (var spool = Open())
        {
            spool.Append(Payloads(0, 4));
        }

        // What a process killed inside write() leaves: a header and part of a payload, never fsync'd or disposed.
        var segment = Assert.Single(Dir.Segments());
        var torn = new FileStream(segment, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        torn.Write([200, 0, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'"']);
        torn.Flush();

        using (var reopened = Open())
        {
            Assert.Equal(Expected(0, 4), Texts(reopened.ReadAfter(0, 100)));
            reopened.Append(Payloads(4, 2));
        }

        torn.Dispose();
        using var third = Open();
        var records = third.ReadAfter(0, 100);
        Assert.Equal(Expected(0, 6), Texts(records));
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], records.Select(r => r.Sequence));
    }

    [Fact]
    public void Open_CorruptChecksum_IsDetectedAndCutOff()
    {
        using (var spool = Open())
        {
            spool.Append(Payloads(0, 10));
        }

        var segment = Assert.Single(Dir.Segments());
        var bytes = File.ReadAllBytes(segment);
        var fifthPayload = 8 + (4 * (DurableSpool.HeaderLength + Payload(0).Length)) + DurableSpool.HeaderLength + 2;
        bytes[fifthPayload] ^= 0x20;
        File.WriteAllBytes(segment, bytes);

        using var reopened = Open();
        Assert.Equal(Expected(0, 4), Texts(reopened.ReadAfter(0, 100)));
        Assert.Contains(Logs.Lines, l => l.Contains("checksum mismatch after 4 good record(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void Acknowledge_SurvivesReopen_AndFullyAcknowledgedSpoolIsEmptyOnDisk()
    {
        using (var spool = Open())
        {
            spool.Append(Payloads(0, 10));
            spool.Acknowledge(6);
        }

        using (var reopened = Open())
        {
            Assert.Equal(6, reopened.AcknowledgedSequence);
            Assert.Equal(Expected(6, 4), Texts(reopened.ReadAfter(reopened.AcknowledgedSequence, 100)));
            reopened.Acknowledge(10);
            Assert.True(reopened.IsEmpty);
            Assert.Equal(0, reopened.TotalBytes);
            Assert.Empty(Dir.Segments());
        }

        using var third = Open();
        Assert.Empty(third.ReadAfter(third.AcknowledgedSequence, 100));
        Assert.Equal([11L], third.Append(Payloads(10, 1)));   // sequences never go back
    }

    [Fact]
    public void Append_PastSegmentSize_RotatesAndDeletesAcknowledgedSegments()
    {
        using (var spool = Open(segmentBytes: 4096))
        {
            for (var i = 0; i < 20; i++)
            {
                spool.Append([Encoding.UTF8.GetBytes($"event-{i}-" + new string('x', 1000))]);
            }

            Assert.True(Dir.Segments().Length >= 5, $"{Dir.Segments().Length} segments");
            spool.Acknowledge(12);
            Assert.All(Dir.Segments(), s => Assert.True(long.Parse(Path.GetFileNameWithoutExtension(s), System.Globalization.CultureInfo.InvariantCulture) > 9, s));
        }

        using var reopened = Open(segmentBytes: 4096);
        var records = reopened.ReadAfter(12, 100);
        Assert.Equal(Enumerable.Range(13, 8).Select(i => (long)i), records.Select(r => r.Sequence));
        Assert.Equal(Enumerable.Range(12, 8).Select(i => $"event-{i}-"), records.Select(r => Encoding.UTF8.GetString(r.Payload)[..(r.Payload.Length - 1000)]));
    }

    [Fact]
    public void Append_AtTheBound_WarnsOnceThenDropsAndCountsLoudly()
    {
        var alerts = new RecordingAlerts();
        const long Max = 1024;
        using var spool = DurableSpool.Open(Dir.Path, 4096, Max, 50, Logger(), alerts);
        var accepted = 0;
        for (var i = 0; i < 100; i++)
        {
            accepted += spool.Append([Payload(i)]).Count(s => s > 0);
        }

        var frame = DurableSpool.HeaderLength + Payload(0).Length;
        Assert.Equal((Max - 8) / frame, accepted);
        Assert.Equal(100 - accepted, spool.DroppedCount);
        Assert.Equal(100 - accepted, alerts.LastDropped);
        Assert.Equal(1, alerts.NearBoundCalls);
        Assert.True(spool.TotalBytes <= Max);
        Assert.Single(Logs.Lines, l => l.Contains("new telemetry is being DROPPED", StringComparison.Ordinal));
        Assert.Equal(Expected(0, accepted), Texts(spool.ReadAfter(0, 1000)));
    }

    [Fact]
    public void Open_DirectoryHeldByAnotherServer_UsesAnInstanceDirectory()
    {
        using var first = Open();
        using var second = Open();
        Assert.Equal(Dir.Path, first.Directory);
        Assert.Equal(Path.Combine(Dir.Path, "instance-1"), second.Directory);
    }

    [Fact]
    public void DirectorySync_OnThisPlatform_FsyncsTheDirectory() => Assert.True(DirectorySync.Flush(Dir.Path));

    private DurableSpool Open(long segmentBytes = 1 << 20) => DurableSpool.Open(Dir.Path, segmentBytes, 1L << 30, 80, Logger());

    private ILogger Logger() => Logs.CreateLogger("spool");

    private static byte[] Payload(int i) => Encoding.UTF8.GetBytes($"event-{i:D3}");

    private static List<byte[]> Payloads(int from, int count) => [.. Enumerable.Range(from, count).Select(Payload)];

    private static string[] Expected(int from, int count) => [.. Enumerable.Range(from, count).Select(i => $"event-{i:D3}")];

    private static string[] Texts(IReadOnlyList<(long Sequence, byte[] Payload)> records) => [.. records.Select(r => Encoding.UTF8.GetString(r.Payload))];
}
