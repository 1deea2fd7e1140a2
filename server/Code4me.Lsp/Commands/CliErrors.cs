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

        var command = parsed.CommandResult.Command;
        var subcommands = command.Subcommands.Select(c => c.Name).ToList();
        if (Unrecognized().Match(message) is { Success: true } unknown)
        {
            var token = unknown.Groups["token"].Value;
            var names = subcommands.Concat(command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)));
            if (KnownSettings.Closest(token, names) is { } closest)
            {
                return $"'{token}' is not a command or option here; did you mean {closest}?";
            }

            return subcommands.Count > 0
                ? $"'{token}' is not a command or option here; the commands are {string.Join(", ", subcommands)}."
                : $"'{token}' is not an option or argument of this command.";
        }

        if (MissingArgument().Match(message) is { Success: true } missing
            && command.Arguments.FirstOrDefault(a => a.Name == missing.Groups["name"].Value) is { } argument)
        {
            return $"{command.Name} needs {argument.Name}: {argument.Description}";
        }

        if (error.SymbolResult is CommandResult && subcommands.Count > 0 && message.StartsWith("Required command", StringComparison.Ordinal))
        {
            return $"name a command: {string.Join(", ", subcommands)}.";
        }

        return message;
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (option|command) '(?<symbol>[^']*)' as expected type '(?<type>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Required argument '(?<name>[^']*)' missing", RegexOptions.Singleline)]
    private static partial Regex MissingArgument();

    [GeneratedRegex(@"^Unrecognized command or argument '(?<token>.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex Unrecognized();
}
