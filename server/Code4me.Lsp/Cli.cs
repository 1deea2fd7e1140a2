using System.CommandLine;
using System.CommandLine.Parsing;
using Code4me.Lsp.Commands;
using Code4me.Lsp.Hosting;

namespace Code4me.Lsp;

/// <summary>
/// The executable's commands. No arguments (or <c>--stdio</c>) serves LSP over stdio; every other
/// command is a subcommand listed here, each built by its own class in <c>Commands/</c>.
/// Exit codes, for every command: 0 done; 1 the operation failed (database, file, network: the one-line
/// message says why); 2 the command line or a setting is wrong; 3 <c>complete</c> found no suggestion.
/// </summary>
internal static class Cli
{
    public const int Usage = 2;

    public static Task<int> RunAsync(string[] args, CliContext context)
    {
        var global = new GlobalOptions();
        var root = new RootCommand("Code4me language server: AI inline completion, chat and research telemetry over LSP.");
        root.Options.Add(global.Config);
        ServeCommand.Configure(root, global, context);
        // One line per command; each class owns its options and its action.
        root.Subcommands.Add(MigrateCommand.Create(global, context));
        root.Subcommands.Add(CompleteCommand.Create(global, context));
        root.Subcommands.Add(TelemetryCommand.Create(global, context));
        root.Subcommands.Add(UserCommand.Create(global, context));
        root.Subcommands.Add(DataCommand.Create(global, context));
        root.Subcommands.Add(ReportCommand.Create(global, context));
        root.Subcommands.Add(StudyCommand.Create(global, context));

        var configuration = new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false };
        return InvokeAsync(root.Parse(args), configuration, global, context);
    }

    private static async Task<int> InvokeAsync(ParseResult parsed, InvocationConfiguration configuration, GlobalOptions global, CliContext context)
    {
        if (parsed.Errors.Count > 0 && !AsksForHelp(parsed))
        {
            // The first mistake in words (the later ones usually follow from it: a mistyped command makes its arguments
            // unknown too), and where to read more; not the whole help.
            var command = CommandPath(parsed.CommandResult);
            await context.Error.WriteLineAsync($"{command}: {CliErrors.Describe(parsed.Errors[0], parsed)}");

            await context.Error.WriteLineAsync($"Run '{command} --help' for usage.");
            return Usage;
        }

        try
        {
            if (parsed.CommandResult.Command is not RootCommand && !AsksForHelp(parsed))
            {
                // Serving warns once its settings are in (ServeCommand); every other command warns here, from the same
                // sources: a mistyped key is otherwise ignored without a word.
                foreach (var warning in KnownSettings.Unknown(global.Settings(parsed)))
                {
                    await context.Error.WriteLineAsync($"code4me-lsp: warning: {warning}");
                }
            }

            return await parsed.InvokeAsync(configuration);
        }
        catch (InvalidSettingException e)
        {
            await context.Error.WriteLineAsync($"code4me-lsp: {e.Message}");
            return Usage;
        }
        catch (Exception e) when (SettingErrors.Describe(e) is { } message)
        {
            // A setting that does not convert, from any source, for any command: one line, exit 2.
            await context.Error.WriteLineAsync($"code4me-lsp: {message}");
            return Usage;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            // A setting out of range, met where a service reads its options as it is built.
            await context.Error.WriteLineAsync($"code4me-lsp: invalid configuration: {string.Join(" ", e.Failures)}");
            return Usage;
        }
    }

    private static bool AsksForHelp(ParseResult parsed) =>
        parsed.Tokens.Any(t => t.Type == TokenType.Option && t.Value is "--help" or "-h" or "-?");

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command)
            {
                names.Add(command.Command is RootCommand ? "code4me-lsp" : command.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
