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
            return JsonSerializer.Deserialize(StorableJson(payload), TelemetryJsonContext.Default.TelemetryEvent)
                ?? throw new JsonException("null event");
        }
        catch (JsonException e)
        {
            SpoolLog.Undecodable(logger, sequence, e.Message);
            return null;
        }
    }

    private static readonly byte[] s_nulEscape = "\\u0000"u8.ToArray();
    private static readonly byte[] s_replacementEscape = "\\uFFFD"u8.ToArray();

    /// <summary>
    /// The record with every U+0000 of its strings replaced by U+FFFD: PostgreSQL stores no NUL in <c>text</c> or
    /// <c>jsonb</c> (22021, 22P05), and an event refused for its content would be lost with everything that refers to
    /// it (its ground truth, its feedback). NUL is the only character that survives the spool and PostgreSQL cannot
    /// store: a lone surrogate was already written as U+FFFD by the encoder. The spool keeps the exact text.
    /// </summary>
    internal static byte[] StorableJson(byte[] payload)
    {
        var at = payload.AsSpan().IndexOf(s_nulEscape);
        if (at < 0)
        {
            return payload;
        }

        var copy = (byte[])payload.Clone();
        for (var i = 0; i < copy.Length - 1; i++)
        {
            if (copy[i] != (byte)'\\')
            {
                continue;
            }

            // An escape: \u0000 is a NUL; any other (\\, \", \n, \uXXXX) is stepped over whole, so the text "\u0000"
            // written as \\u0000 is left alone.
            if (copy.AsSpan(i).StartsWith(s_nulEscape))
            {
                s_replacementEscape.CopyTo(copy, i);
            }

            i++;
        }

        return copy;
    }
}
