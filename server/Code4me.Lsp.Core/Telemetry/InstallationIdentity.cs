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
/// Thread-safe. Two servers starting at once may both create a candidate; the file is written aside and moved
/// into place without overwriting, so the first wins and the other reads it. Any I/O failure gives null with one
/// warning: identity is never a reason for the server not to work.
/// </remarks>
public sealed class InstallationIdentity(string path, ILogger<InstallationIdentity> logger)
{
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
        if (File.Exists(Path))
        {
            if (Parse(Path) is { } existing)
            {
                return existing;
            }

            TelemetryLog.InstallationIdInvalid(logger, Path);
            File.Delete(Path);
        }

        var directory = System.IO.Path.GetDirectoryName(Path)!;
        if (!Directory.Exists(directory))
        {
            OwnerOnlyFiles.CreateDirectory(directory, static _ => false);
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

        try
        {
            File.Move(aside, Path, overwrite: false);
            return candidate;
        }
        catch (IOException) when (File.Exists(Path))
        {
            // Another server stored its id first: that one is the installation's.
            File.Delete(aside);
            return Parse(Path) ?? throw new IOException($"{Path} does not hold a UUID.");
        }
    }

    private static Guid? Parse(string path) => Guid.TryParse(File.ReadAllText(path).Trim(), out var id) ? id : null;
}
