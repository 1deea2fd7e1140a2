using System.Text.RegularExpressions;
using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Remote;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Hosting;

/// <summary>
/// One line, in words, for a setting the configuration binder could not convert
/// (<c>invalid setting Code4me:Logging:Level = 'Loud': one of Trace, Debug, …</c>) instead of its exception, which named
/// .NET types and came with a stack trace. Used at start (exit 2), and when an editor's change is refused.
/// </summary>
internal static partial class SettingErrors
{
    private static readonly Dictionary<string, string[]> s_enums = new(StringComparer.Ordinal)
    {
        [typeof(LogLevel).FullName!] = Enum.GetNames<LogLevel>(),
        [typeof(SelectionPolicy).FullName!] = Enum.GetNames<SelectionPolicy>(),
        [typeof(CompletionModelKind).FullName!] = Enum.GetNames<CompletionModelKind>(),
        [typeof(FimTemplateKind).FullName!] = Enum.GetNames<FimTemplateKind>(),
        [typeof(ChatContextStrategy).FullName!] = Enum.GetNames<ChatContextStrategy>(),
    };

    /// <summary>The one-line message for a conversion failure anywhere in <paramref name="exception"/>; null for any other exception.</summary>
    public static string? Describe(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is InvalidOperationException && ConversionFailure().Match(e.Message) is { Success: true } match)
            {
                return $"invalid setting {match.Groups["key"].Value} = '{match.Groups["value"].Value}': expected {Expected(match.Groups["type"].Value)}.";
            }
        }

        return null;
    }

    /// <summary>A .NET type named in words ("a whole number", "a UUID such as …"), for messages users read.</summary>
    public static string Expected(string type)
    {
        if (NullableOf().Match(type) is { Success: true } nullable)
        {
            type = nullable.Groups["inner"].Value;
        }

        return type switch
        {
            "System.Int32" or "System.Int64" or "System.Int16" => "a whole number",
            "System.UInt32" or "System.UInt64" => "a whole number, 0 or more",
            "System.Double" or "System.Single" or "System.Decimal" => "a number (with a '.' for decimals)",
            "System.Boolean" => "true or false",
            "System.Guid" => "a UUID such as 123e4567-e89b-12d3-a456-426614174000",
            "System.TimeSpan" => "a duration such as 00:00:30",
            _ when s_enums.TryGetValue(type, out var names) => $"one of {string.Join(", ", names)}",
            _ => "a value of another form (see the Configuration table in README.md)",
        };
    }

    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex ConversionFailure();

    [GeneratedRegex(@"^System\.Nullable`1\[\[?(?<inner>[^,\]]+)")]
    private static partial Regex NullableOf();
}
