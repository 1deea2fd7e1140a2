namespace Code4me.Lsp.Storage.Spool;

/// <summary>Told when the spool nears its bound and when it drops events (e.g. to show the user a message). Optional.</summary>
public interface ITelemetrySpoolAlerts
{
    /// <summary>The spool passed <c>WarnAtPercent</c> of its bound (raised once per crossing).</summary>
    void NearBound(long bytes, long maxBytes);

    /// <summary>Events were refused (spool at its bound, or the in-memory queue full); <paramref name="totalDropped"/> since start.</summary>
    void Dropped(long totalDropped);
}
