using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Privacy;

/// <summary>
/// Decides whether a file is a secret file (<see cref="SecretOptions"/>): its text is never sent to a model,
/// used as context for another file, or recorded. Follows settings changes at once.
/// </summary>
public sealed class SecretFileMatcher
{
    private readonly IOptionsMonitor<SecretOptions> _options;
    private Compiled? _compiled;   // replaced whole (a reference), so readers on other threads never see a torn value

    public SecretFileMatcher(IOptionsMonitor<SecretOptions> options)
    {
        _options = options;
    }

    /// <summary>For tests and the CLI: a fixed list of patterns.</summary>
    public static SecretFileMatcher For(IReadOnlyList<string> patterns) =>
        new(new StaticMonitor(new SecretOptions { FilePatterns = [.. patterns] }));

    /// <summary>True when <paramref name="path"/> (a local path or a URI) matches a secret-file pattern.</summary>
    public bool IsSecret(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        var (_, name, full) = Compile();
        var normalized = Uri.TryCreate(path, UriKind.Absolute, out var uri) && uri.IsFile ? uri.LocalPath : Uri.UnescapeDataString(path);
        normalized = normalized.Replace('\\', '/');
        var slash = normalized.LastIndexOf('/');
        var fileName = slash >= 0 ? normalized[(slash + 1)..] : normalized;
        return name.IsMatch(fileName) || full.IsMatch(normalized);
    }

    private Compiled Compile()
    {
        IReadOnlyList<string> patterns;
        try
        {
            patterns = _options.CurrentValue.EffectiveFilePatterns;
        }
        catch (OptionsValidationException)
        {
            patterns = _compiled?.Patterns ?? SecretOptions.DefaultFilePatterns;
        }

        if (_compiled is { } current && ReferenceEquals(current.Patterns, patterns))
        {
            return current;
        }

        var names = patterns.Where(p => !p.Contains('/', StringComparison.Ordinal)).Select(ToRegex).DefaultIfEmpty("(?!)");
        var paths = patterns.Where(p => p.Contains('/', StringComparison.Ordinal)).Select(ToRegex).DefaultIfEmpty("(?!)");
        const RegexOptions O = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
        var compiled = new Compiled(patterns, new Regex($"^(?:{string.Join('|', names)})$", O), new Regex($"(?:^|/)(?:{string.Join('|', paths)})$", O));
        _compiled = compiled;
        return compiled;
    }

    internal static string ToRegex(string glob)
    {
        var sb = new StringBuilder();
        var g = glob.TrimStart('/');
        if (g.StartsWith("**/", StringComparison.Ordinal))
        {
            sb.Append("(?:.*/)?");
            g = g[3..];
        }

        for (var i = 0; i < g.Length; i++)
        {
            var ch = g[i];
            if (ch == '*' && i + 1 < g.Length && g[i + 1] == '*')
            {
                sb.Append(".*");
                i++;
            }
            else if (ch == '*')
            {
                sb.Append("[^/]*");
            }
            else if (ch == '?')
            {
                sb.Append("[^/]");
            }
            else
            {
                sb.Append(Regex.Escape(ch.ToString()));
            }
        }

        return sb.ToString();
    }

    private sealed record Compiled(IReadOnlyList<string> Patterns, Regex Name, Regex Path);

    private sealed class StaticMonitor(SecretOptions value) : IOptionsMonitor<SecretOptions>
    {
        public SecretOptions CurrentValue => value;

        public SecretOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<SecretOptions, string?> listener) => null;
    }
}
