using System.CommandLine;
using Code4me.Lsp.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Code4me.Lsp.Commands;

/// <summary>The default action: serve the Language Server Protocol over stdio.</summary>
internal static class ServeCommand
{
    public static void Configure(RootCommand root, GlobalOptions global, CliContext context)
    {
        var stdio = new Option<bool>("--stdio") { Description = "Serve LSP over stdin/stdout (the default)." };
        root.Options.Add(stdio);
        root.SetAction((parseResult, cancellationToken) =>
            RunAsync(new LanguageServerTransport(context.Input, context.Output), global.ConfigOverrides(parseResult), context.Error, cancellationToken));
    }

    /// <summary>Runs the server until the session ends; returns the process exit code.</summary>
    public static async Task<int> RunAsync(
        LanguageServerTransport transport,
        IReadOnlyList<string> configOverrides,
        TextWriter error,
        CancellationToken cancellationToken,
        Action<Microsoft.Extensions.Logging.ILoggingBuilder>? configureLogging = null,
        Action<IServiceCollection>? configureServices = null)
    {
        // While this thread builds the host, the other core prepares the protocol (see WarmUpAsync).
        _ = Rpc.LspJson.WarmUpAsync();
        IHost host;
        try
        {
            var builder = LanguageServerBuilder.Create(transport, configOverrides, configureLogging);
            configureServices?.Invoke(builder.Services);
            host = builder.Build();
        }
        catch (InvalidSettingException e)
        {
            await error.WriteLineAsync($"code4me-lsp: {e.Message}");
            return 2;
        }

        using (host)
        {
            var failures = host.Services.GetRequiredService<SettingsService>().Validate();
            if (failures.Count > 0)
            {
                await error.WriteLineAsync($"code4me-lsp: invalid configuration: {string.Join(" ", failures)}");
                return 2;
            }

            foreach (var warning in KnownSettings.Unknown(host.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()))
            {
                await error.WriteLineAsync($"code4me-lsp: warning: {warning}");
            }

            var exited = host.Services.GetRequiredService<Rpc.Lifecycle>().Exited;
            await host.RunAsync(cancellationToken);
            return exited.IsCompletedSuccessfully ? exited.Result : 1;
        }
    }
}
