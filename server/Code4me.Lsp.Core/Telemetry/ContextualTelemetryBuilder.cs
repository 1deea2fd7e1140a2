using Code4me.Lsp.Core.Documents;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>Derives <see cref="ContextualTelemetry"/> from a document snapshot and the caret.</summary>
public static class ContextualTelemetryBuilder
{
    /// <param name="id">The row's UUIDv7.</param>
    /// <param name="document">The snapshot the request works on.</param>
    /// <param name="offset">The caret as a UTF-16 offset into <paramref name="document"/>.</param>
    /// <param name="trigger">How the completion was triggered.</param>
    /// <param name="client">Editor and plugin version.</param>
    public static ContextualTelemetry Build(Guid id, TextDocument document, int offset, CompletionTrigger trigger, ClientIdentity client)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(client);
        var length = document.Text.Length;
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, length);
        return new ContextualTelemetry(
            id,
            client.PluginVersion,
            client.Ide,
            trigger,
            document.LanguageId,
            DocumentPaths.FromUri(document.Uri),
            document.Text.GetLineOfOffset(offset),
            length,
            RelativePosition(offset, length));
    }

    /// <summary>Offset / length; 0 for an empty document (the caret is at its start).</summary>
    public static double RelativePosition(int offset, int length) => length == 0 ? 0.0 : (double)offset / length;
}
