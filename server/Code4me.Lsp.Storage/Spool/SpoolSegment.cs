namespace Code4me.Lsp.Storage.Spool;

/// <summary>One segment file of a <see cref="DurableSpool"/>: what is durable in it and what the batch in progress added.</summary>
internal sealed class SpoolSegment(string path)
{
    public string Path { get; } = path;

    /// <summary>Bytes fsync'd (what readers may read).</summary>
    public long Length { get; set; }

    public long LastSequence { get; set; }

    /// <summary>Bytes written by the batch in progress.</summary>
    public long PendingLength { get; set; }

    public long PendingLast { get; set; }
}
