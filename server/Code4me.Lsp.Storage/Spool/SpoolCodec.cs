using System.Text.Json;
using Code4me.Lsp.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Storage.Spool;

/// <summary>The spool's record format: a <see cref="TelemetryEvent"/> as UTF-8 JSON (<see cref="TelemetryJsonContext"/>).</summary>
internal static class SpoolCodec
{
    public static byte[] Encode(TelemetryEvent telemetryEvent) =>
        JsonSerializer.SerializeToUtf8Bytes(telemetryEvent, TelemetryJsonContext.Default.TelemetryEvent);

    /// <summary>
    /// The event of a record, or null (logged) when this version cannot read it (written by a newer one, or
    /// hand-edited): such a record must never block the ones after it.
    /// </summary>
    public static TelemetryEvent? Decode(long sequence, byte[] payload, ILogger logger)
    {
        try
        {
            return JsonSerializer.Deserialize(payload, TelemetryJsonContext.Default.TelemetryEvent)
                ?? throw new JsonException("null event");
        }
        catch (JsonException e)
        {
            SpoolLog.Undecodable(logger, sequence, e.Message);
            return null;
        }
    }
}
