namespace Code4me.Lsp.Core.Privacy;

/// <summary>
/// Files that hold recorded code (the telemetry spool) or identify the user (the installation id) are readable by
/// their owner only: directories 0700, files 0600, whatever the umask. A directory or file left more open by an
/// earlier version is tightened when it is opened again. No-ops on Windows, where the profile's ACLs already apply.
/// </summary>
public static class OwnerOnlyFiles
{
    /// <summary>rw------- (0600).</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>rwx------ (0700).</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Creates <paramref name="path"/> (and missing parents) as 0700. An existing directory is tightened to 0700 only when
    /// it holds nothing but <paramref name="ownFiles"/> (a spool an earlier version created 0755): a directory the user
    /// named that holds other things (their home, /tmp) is never changed.
    /// </summary>
    public static void CreateDirectory(string path, Func<string, bool> ownFiles)
    {
        ArgumentNullException.ThrowIfNull(ownFiles);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, DirectoryMode);
            return;
        }

        if (Directory.EnumerateFileSystemEntries(path).All(entry => ownFiles(Path.GetFileName(entry))))
        {
            Tighten(path, DirectoryMode);
        }
    }

    /// <summary>Options for a new file created 0600.</summary>
    public static FileStreamOptions Options(System.IO.FileMode mode, FileAccess access, FileShare share, int bufferSize = 4096)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows() && mode is System.IO.FileMode.Create or System.IO.FileMode.CreateNew or System.IO.FileMode.OpenOrCreate)
        {
            options.UnixCreateMode = FileMode;
        }

        return options;
    }

    /// <summary>Takes group and other permissions away from an existing file (one spooled by an earlier version).</summary>
    public static void TightenFile(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            Tighten(path, FileMode);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Tighten(string path, UnixFileMode mode)
    {
        var current = File.GetUnixFileMode(path);
        var open = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((current & open) != 0)
        {
            File.SetUnixFileMode(path, (current & ~open) | mode);
        }
    }
}
