using System.Runtime.InteropServices;

namespace Code4me.Lsp.Storage.Spool;

/// <summary>
/// fsync of a directory, so a created, renamed or deleted file survives a power loss (a process crash needs
/// none of this). .NET offers no API for it, so on Unix it calls libc; on Windows NTFS journals metadata and it
/// is a no-op. Best effort: if libc cannot be called, file contents are still fsync'd.
/// </summary>
internal static partial class DirectorySync
{
    private static bool s_unavailable;

    /// <summary>True when the directory was fsync'd (or need not be, on Windows).</summary>
    public static bool Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        if (s_unavailable)
        {
            return false;
        }

        try
        {
            var fd = Open(directory, 0 /* O_RDONLY */);
            if (fd < 0)
            {
                return false;
            }

            var synced = FSync(fd) == 0;
            _ = Close(fd);
            return synced;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true;
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Close(int fd);
}
