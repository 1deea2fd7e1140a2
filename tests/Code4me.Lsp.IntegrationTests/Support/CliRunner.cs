using System.Text;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>What a command printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error);

/// <summary>Runs <c>code4me-lsp</c> commands in process through <see cref="Cli.RunAsync"/>, capturing stdout and stderr.</summary>
internal static class CliRunner
{
    public static Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync("", args);

    public static async Task<CliResult> RunWithInputAsync(string stdin, params string[] args)
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(stdin));
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await Cli.RunAsync(args, new CliContext(input, Stream.Null, output, error));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
