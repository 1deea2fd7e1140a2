using System.Text.Json;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Logging.Abstractions;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>Reads back every event a server left in its spool folder (after it exited).</summary>
internal static class SpoolReader
{
    public static List<TelemetryEvent> Read(string directory)
    {
        using var spool = DurableSpool.Open(directory, 4 * 1024 * 1024, 256L * 1024 * 1024, 80, NullLogger.Instance);
        return [.. spool.ReadAfter(0, 100_000).Select(r => JsonSerializer.Deserialize(r.Payload, TelemetryJsonContext.Default.TelemetryEvent)!)];
    }
}
