using System.CommandLine;
using Code4me.Lsp.Commands;

namespace Code4me.Lsp;

/// <summary>
/// The executable's commands. No arguments (or <c>--stdio</c>) serves LSP over stdio; every other
/// command is a subcommand listed here, each built by its own class in <c>Commands/</c>.
/// </summary>
internal static class Cli
{
    public static Task<int> RunAsync(string[] args, CliContext context)
    {
        var root = new RootCommand("Code4me language server: AI inline completion, chat and research telemetry over LSP.");
        ServeCommand.Configure(root, context);
        // One line per command; each class owns its options and its action.
        root.Subcommands.Add(MigrateCommand.Create(context));
        root.Subcommands.Add(CompleteCommand.Create(context));
        root.Subcommands.Add(TelemetryCommand.Create(context));
        root.Subcommands.Add(UserCommand.Create(context));
        root.Subcommands.Add(DataCommand.Create(context));

        var configuration = new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false };
        return InvokeAsync(root.Parse(args), configuration, context);
    }

    private static async Task<int> InvokeAsync(ParseResult parsed, InvocationConfiguration configuration, CliContext context)
    {
        try
        {
            return await parsed.InvokeAsync(configuration);
        }
        catch (Exception e) when (Hosting.SettingErrors.Describe(e) is { } message)
        {
            // A setting that does not convert, from any source, for any command: one line, exit 2.
            await context.Error.WriteLineAsync($"code4me-lsp: {message}");
            return 2;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            // A setting out of range, met where a service reads its options as it is built.
            await context.Error.WriteLineAsync($"code4me-lsp: invalid configuration: {string.Join(" ", e.Failures)}");
            return 2;
        }
    }
}
