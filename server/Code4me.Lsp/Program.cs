using System.Text;

namespace Code4me.Lsp;

internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        // stdout is the protocol channel. Take it once, here, and point Console.Out at stderr so that
        // nothing (a library, a stray Console.WriteLine) can ever write text into the JSON-RPC stream.
#pragma warning disable RS0030 // the one place that owns stdout
        var stdout = Console.OpenStandardOutput();
#pragma warning restore RS0030
        var stdin = Console.OpenStandardInput();
        Console.SetOut(Console.Error);
        var context = new CliContext(
            stdin,
            stdout,
            new StreamWriter(stdout, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true) { AutoFlush = true },
            Console.Error);
        return Cli.RunAsync(args, context);
    }
}
