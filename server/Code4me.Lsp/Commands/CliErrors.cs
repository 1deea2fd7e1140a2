using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using Code4me.Lsp.Hosting;

namespace Code4me.Lsp.Commands;

/// <summary>
/// A command-line parse error in words: no .NET type names (<c>System.Nullable`1[System.Guid]</c> becomes
/// "a UUID such as …"), and an unknown or missing command names the commands there are.
/// </summary>
internal static partial class CliErrors
{
    public static string Describe(ParseError error, ParseResult parsed)
    {
        var message = error.Message;
        if (CannotParse().Match(message) is { Success: true } value)
        {
            return $"{value.Groups["symbol"].Value} takes {SettingErrors.Expected(value.Groups["type"].Value)}, not '{value.Groups["value"].Value}'.";
        }

        var subcommands = parsed.CommandResult.Command.Subcommands.Select(c => c.Name).ToList();
        if (Unrecognized().Match(message) is { Success: true } unknown)
        {
            return subcommands.Count > 0
                ? $"'{unknown.Groups["token"].Value}' is not a command or option here; the commands are {string.Join(", ", subcommands)}."
                : $"'{unknown.Groups["token"].Value}' is not an option or argument of this command.";
        }

        if (error.SymbolResult is CommandResult && subcommands.Count > 0 && message.StartsWith("Required command", StringComparison.Ordinal))
        {
            return $"name a command: {string.Join(", ", subcommands)}.";
        }

        return message;
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (option|command) '(?<symbol>[^']*)' as expected type '(?<type>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Unrecognized command or argument '(?<token>.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex Unrecognized();
}
