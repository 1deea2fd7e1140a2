using System.Diagnostics;
using System.Text;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>
/// The real executable in its own process over redirected stdio. Uses <c>CODE4ME_LSP_EXE</c> when set
/// (CI points it at the published <c>OUT/code4me-lsp</c>), else the apphost built beside the tests.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;

    private ServerProcess(Process process)
    {
        _process = process;
        _stderrPump = Task.Run(async () =>
        {
            string? line;
            while ((line = await process.StandardError.ReadLineAsync()) is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(line);
                }
            }
        });
        Connection = new RawLspConnection(process.StandardInput.BaseStream, process.StandardOutput.BaseStream);
    }

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CODE4ME_LSP_EXE") is { Length: > 0 } path ? path : Path.Combine(AppContext.BaseDirectory, "code4me-lsp");

    public RawLspConnection Connection { get; }

    public Process Process => _process;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static ServerProcess Start(params string[] arguments) => new(Process.Start(StartInfo(arguments))!);

    /// <summary>Runs a command to completion: (exit code, stdout, stderr).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments)
    {
        using var process = Process.Start(StartInfo(arguments))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestTimeout.Token());
        return (process.ExitCode, await stdout, await stderr);
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync(TestTimeout.Token());
        await _stderrPump;
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string[] arguments)
    {
        var info = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("CODE4ME_DATABASE_URL");
        return info;
    }
}
