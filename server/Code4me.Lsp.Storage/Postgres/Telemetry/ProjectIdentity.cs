using System.Security.Cryptography;
using System.Text;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>
/// The <c>project</c> row of a workspace folder. Its id is derived from the machine, the installation id, the
/// user and the folder path (a name-based UUID, version 8, from SHA-256), so the same folder is the same project
/// across restarts and replays of one installation and user without the writer ever reading the table; the name
/// is the folder's last component, never the full path.
/// </summary>
/// <remarks>
/// The installation id is a random UUID kept only on its machine and never readable by the writer role, so nobody
/// else can compute a project's id (before migration 0009 host name and folder sufficed, and anyone holding the
/// writer login could write into anyone's project). PostgreSQL also checks that a project's multi-file context is
/// changed only by its owner (<c>project.owner_user_id</c>, <c>owner_installation_id</c>). The user is part of the
/// id so that one installation's anonymous and signed-in projects are different rows with different owners.
/// </remarks>
internal static class ProjectIdentity
{
    /// <summary>The project of queries on files outside every workspace folder.</summary>
    public const string NoFolderName = "(no workspace folder)";

    public static Guid IdFor(BatchOwner owner, string? folder)
    {
        ArgumentNullException.ThrowIfNull(owner);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(
            Encoding.UTF8.GetBytes($"code4me-lsp project\0{owner.Machine}\0{owner.InstallationId}\0{owner.UserId}\0{Normalize(folder)}"), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);   // version 8 (custom, name-based)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);   // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }

    public static string NameFor(string? folder)
    {
        var normalized = Normalize(folder);
        if (normalized.Length == 0)
        {
            return NoFolderName;
        }

        var name = Path.GetFileName(normalized.TrimEnd('/', '\\'));
        return name.Length == 0 ? normalized : name;
    }

    private static string Normalize(string? folder) => folder is null ? "" : folder.Length > 1 ? folder.TrimEnd('/', '\\') : folder;
}
