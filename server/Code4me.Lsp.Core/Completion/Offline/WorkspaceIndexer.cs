using MAB.DotIgnore;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Core.Completion.Offline;

#pragma warning disable CA1873 // a handful of log lines per indexing run, not a hot path

/// <summary>
/// Feeds the source files of the workspace folders to the offline model at start: respects
/// <c>.gitignore</c> files (root and nested) and skips <c>.git</c>, binaries, unknown extensions and files over
/// the size bound; stops at the file-count and byte bounds. Reports progress as (done, total) files.
/// </summary>
public sealed class WorkspaceIndexer(OfflineCodeModel model, OfflineModelOptions options, ILogger<WorkspaceIndexer> logger)
{
    /// <summary>Indexes the folders; returns the number of files counted. Throws only on cancellation.</summary>
    public async Task<int> IndexAsync(IReadOnlyList<string> folders, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folders);
        var files = new List<string>();
        foreach (var folder in folders)
        {
            if (Directory.Exists(folder))
            {
                Collect(Path.GetFullPath(folder), files, cancellationToken);
            }
        }

        var total = files.Count;
        progress?.Report((0, total));
        var done = 0;
        var counted = 0;
        long bytes = 0;
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var info = new FileInfo(file);
                if (bytes + info.Length > options.MaxIndexedBytes)
                {
                    logger.LogInformation("Workspace indexing stopped at the byte bound ({Bytes} bytes)", bytes);
                    break;
                }

                var text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
                if (!text.Contains('\0', StringComparison.Ordinal) && model.ObserveUntracked(new Uri(file).AbsoluteUri, LanguageIds.FromPath(file)!, text))
                {
                    counted++;
                    bytes += info.Length;
                }
            }
            catch (IOException ex)
            {
                logger.LogDebug(ex, "Skipped {File}", file);
            }
            catch (UnauthorizedAccessException ex)
            {
                logger.LogDebug(ex, "Skipped {File}", file);
            }

            progress?.Report((++done, total));
        }

        progress?.Report((total, total));
        logger.LogInformation("Indexed {Count} workspace files for the offline model", counted);
        return counted;
    }

    private void Collect(string root, List<string> files, CancellationToken cancellationToken)
    {
        var pending = new Stack<(string Directory, IgnoreList Ignores)>();
        pending.Push((root, Load(new IgnoreList(), root)));
        while (pending.Count > 0 && files.Count < options.MaxIndexedFiles)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (directory, ignores) = pending.Pop();
            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal).ToArray();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            var subdirectories = new List<string>();
            foreach (var entry in entries)
            {
                var name = Path.GetFileName(entry);
                var relative = Path.GetRelativePath(root, entry).Replace('\\', '/');
                var isDirectory = Directory.Exists(entry);
                if (name == ".git" || ignores.IsIgnored(relative, isDirectory) || new FileInfo(entry).LinkTarget is not null)
                {
                    continue;
                }

                if (isDirectory)
                {
                    subdirectories.Add(entry);
                }
                else if (LanguageIds.FromPath(entry) is not null && new FileInfo(entry).Length <= options.MaxFileBytes)
                {
                    files.Add(entry);
                    if (files.Count >= options.MaxIndexedFiles)
                    {
                        logger.LogInformation("Workspace indexing stopped at the file bound ({Count} files)", files.Count);
                        return;
                    }
                }
            }

            for (var i = subdirectories.Count - 1; i >= 0; i--)
            {
                pending.Push((subdirectories[i], Load(ignores, subdirectories[i], root)));
            }
        }
    }

    /// <summary>The parent's rules plus the folder's own <c>.gitignore</c>, rewritten relative to the root.</summary>
    private static IgnoreList Load(IgnoreList parent, string directory, string? root = null)
    {
        var path = Path.Combine(directory, ".gitignore");
        if (!File.Exists(path))
        {
            return parent;
        }

        var list = parent.Clone();
        var prefix = root is null ? "" : Path.GetRelativePath(root, directory).Replace('\\', '/') + "/";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var negated = line.StartsWith('!');
            var pattern = negated ? line[1..] : line;
            if (prefix.Length > 0)
            {
                // A pattern with a slash (other than at the end) is anchored to its .gitignore's folder.
                var anchored = pattern.TrimEnd('/').Contains('/', StringComparison.Ordinal);
                pattern = anchored ? prefix + pattern.TrimStart('/') : prefix + "**/" + pattern;
            }

            list.AddRule((negated ? "!" : "") + pattern);
        }

        return list;
    }
}
