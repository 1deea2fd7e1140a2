using Code4me.Lsp.Core.Privacy;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// The anonymous, stable id of one installation of the server: a random UUID kept in a file (by default
/// <c>installation-id</c> in the telemetry spool directory), created the first time it is asked for and read
/// back by every later server on the machine. It identifies the installation, never the person: it is derived
/// from nothing, so it says nothing, and deleting the file starts a new, unlinked identity.
/// </summary>
/// <remarks>
/// Thread-safe, and safe between processes: the id is created under an exclusive lock on <c>installation-id.lock</c>
/// (kept beside it), written aside and renamed into place, so two servers starting at once get the same id and a
/// reader never sees half of one. Any I/O failure gives null with one
/// warning: identity is never a reason for the server not to work.
/// </remarks>
public sealed class InstallationIdentity(string path, ILogger<InstallationIdentity> logger)
{
    /// <summary>Beside the id file: held while an id is created, so that only one server creates it.</summary>
    public const string LockSuffix = ".lock";

    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private Guid? _id;
    private bool _failed;

    /// <summary>The file that holds the id.</summary>
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>The id stored in <see cref="Path"/>, without creating one; null when there is none (or it is unreadable).</summary>
    public static Guid? Read(string path)
    {
        try
        {
            return File.Exists(path) ? Parse(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The installation's id, created and stored on first use; null when it can neither be read nor stored.</summary>
    public Guid? GetOrCreate()
    {
        lock (_gate)
        {
            if (_id is not null || _failed)
            {
                return _id;
            }

            try
            {
                _id = ReadOrCreate();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _failed = true;
                TelemetryLog.InstallationIdUnavailable(logger, Path, e.Message);
            }

            return _id;
        }
    }

    private Guid ReadOrCreate()
    {
        if (File.Exists(Path) && Parse(Path) is { } stored)
        {
            return stored;
        }

        var directory = System.IO.Path.GetDirectoryName(Path)!;
        if (!Directory.Exists(directory))
        {
            OwnerOnlyFiles.CreateDirectory(directory, static _ => false);
        }

        // File.Move without overwriting is not atomic on Unix (it checks, then renames), so two servers could each
        // store their own id. Creating is done under an exclusive lock instead; the kernel releases it if we crash.
        using var held = TakeLock(Path + LockSuffix);
        if (File.Exists(Path))
        {
            if (Parse(Path) is { } existing)
            {
                return existing; // another server stored its id first: that one is the installation's
            }

            TelemetryLog.InstallationIdInvalid(logger, Path);
        }

        var candidate = Guid.NewGuid();
        var aside = $"{Path}.{Guid.NewGuid():N}.tmp";
        using (var stream = new FileStream(aside, OwnerOnlyFiles.Options(FileMode.Create, FileAccess.Write, FileShare.None)))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(candidate.ToString("D"));
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        // Readers that do not take the lock see the old file or the whole new one, never a part.
        File.Move(aside, Path, overwrite: true);
        return candidate;
    }

    /// <summary>Takes the exclusive lock on <paramref name="lockPath"/>, waiting up to <see cref="LockWait"/> for another
    /// server that holds it (for the milliseconds it takes to store an id).</summary>
    private static FileStream TakeLock(string lockPath)
    {
        var deadline = Environment.TickCount64 + (long)LockWait.TotalMilliseconds;
        while (true)
        {
            try
            {
                return new FileStream(lockPath, OwnerOnlyFiles.Options(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (Environment.TickCount64 < deadline && File.Exists(lockPath))
            {
                // The callers are synchronous and already block on this file's I/O (its fsync); the wait is as rare
                // (two servers creating the id at the same moment, once per installation) and as short.
#pragma warning disable RS0030
                Thread.Sleep(5);
#pragma warning restore RS0030
            }
        }
    }

    private static Guid? Parse(string path) => Guid.TryParse(File.ReadAllText(path).Trim(), out var id) ? id : null;
}
