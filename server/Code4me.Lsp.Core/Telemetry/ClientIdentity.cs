using Code4me.Lsp.Core.Session;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>The editor and plugin, for <c>plugin_version</c>: <see cref="Ide"/> → ide_type, <see cref="PluginVersion"/> → version_name.</summary>
public sealed record ClientIdentity(string Ide, string PluginVersion)
{
    /// <summary>Used when the client says nothing.</summary>
    public const string Unknown = "unknown";

    /// <summary>
    /// IDE from <c>clientInfo.name</c>; plugin version from the configured/initialization-option
    /// <c>pluginVersion</c> when given, else <c>clientInfo.version</c>; <see cref="Unknown"/> when absent.
    /// </summary>
    public static ClientIdentity From(EditorSession session, string? pluginVersion)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new ClientIdentity(
            string.IsNullOrWhiteSpace(session.ClientName) ? Unknown : session.ClientName,
            !string.IsNullOrWhiteSpace(pluginVersion) ? pluginVersion
                : !string.IsNullOrWhiteSpace(session.ClientVersion) ? session.ClientVersion : Unknown);
    }
}
