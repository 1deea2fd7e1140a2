using System.Runtime.InteropServices;

namespace Code4me.Lsp.Benchmarks;

/// <summary>
/// Drops a server's files from the kernel's page cache before its first, uncounted start, so every server is measured
/// as an installed server is after it has been started once: its binary read from disk by the loader. A file just
/// written (by <c>dotnet publish</c>) is cached in large folios, which the kernel maps whole on the first touch of any
/// byte, and the same binary then shows ~2 MiB more resident (measured on this machine; docs/notes/aot.md).
/// </summary>
internal static partial class PageCache
{
    private const int PosixFadviseDontNeed = 4;

    /// <summary>Writes back and evicts every file of <paramref name="path"/> (a file or a folder, recursively); Linux only.</summary>
    public static void Evict(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var files = File.Exists(path) ? [path] : Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories);
        foreach (var file in files)
        {
            using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(handle);
            var error = Fadvise((int)handle.DangerousGetHandle(), 0, 0, PosixFadviseDontNeed);
            if (error != 0)
            {
                throw new IOException($"posix_fadvise(DONTNEED) on {file} failed: errno {error}");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int Fadvise(int fd, long offset, long length, int advice);
}
