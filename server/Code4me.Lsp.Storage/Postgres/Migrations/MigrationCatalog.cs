using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Code4me.Lsp.Storage.Postgres.Migrations;

/// <summary>
/// The migrations this executable knows, in version order: the <c>schema/*.sql</c> files embedded
/// in the Storage assembly. Versions run 1, 2, 3, … without gaps, each with an up and a down script.
/// </summary>
internal sealed partial class MigrationCatalog
{
    private const string ResourcePrefix = "schema/";

    public MigrationCatalog(IEnumerable<Migration> migrations)
    {
        Migrations = [.. migrations.OrderBy(m => m.Version)];
        for (var i = 0; i < Migrations.Count; i++)
        {
            if (Migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException(
                    $"Migration versions must run 1, 2, 3, … without gaps; found {Migrations[i].FullName} at position {i + 1}.");
            }
        }
    }

    public IReadOnlyList<Migration> Migrations { get; }

    public int LatestVersion => Migrations.Count == 0 ? 0 : Migrations[^1].Version;

    /// <summary>The migrations embedded in the Storage assembly.</summary>
    public static MigrationCatalog Embedded { get; } = FromAssembly(typeof(MigrationCatalog).Assembly);

    public static string ComputeChecksum(string upSql) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(upSql)));

    private static MigrationCatalog FromAssembly(Assembly assembly)
    {
        var scripts = new Dictionary<(int Version, string Name), (string? Up, string? Down)>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var match = FileName().Match(resource[ResourcePrefix.Length..]);
            if (!match.Success)
            {
                throw new InvalidOperationException(
                    $"Embedded schema file '{resource}' is not named NNNN_name.up.sql or NNNN_name.down.sql.");
            }

            var key = (int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture), match.Groups["name"].Value);
            var text = ReadResource(assembly, resource);
            scripts.TryGetValue(key, out var pair);
            scripts[key] = match.Groups["direction"].Value == "up" ? (text, pair.Down) : (pair.Up, text);
        }

        return new MigrationCatalog(scripts.Select(entry =>
        {
            var (version, name) = entry.Key;
            var (up, down) = entry.Value;
            if (up is null || down is null)
            {
                throw new InvalidOperationException($"Migration {version:D4}_{name} needs both an up and a down script.");
            }

            return new Migration(version, name, up, down, ComputeChecksum(up));
        }));
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing.");
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>[a-z0-9_]+)\.(?<direction>up|down)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();
}
