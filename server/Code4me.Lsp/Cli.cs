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

        var configuration = new InvocationConfiguration { Output = context.Out, Error = context.Error };
        return root.Parse(args).InvokeAsync(configuration);
    }
}
