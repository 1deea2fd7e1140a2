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
    private readonly SemaphoreSlim _stderrLine = new(0);
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

                _stderrLine.Release();
            }
        });
        Connection = new RawLspConnection(process.StandardInput.BaseStream, process.StandardOutput.BaseStream);
    }

    /// <summary>
    /// The executable: <c>CODE4ME_LSP_EXE</c>, else the server project's own build output for this
    /// configuration (the copy in the test folder resolves against the test's dependencies, not its own).
    /// </summary>
    public static string ExecutablePath
    {
        get
        {
            if (Environment.GetEnvironmentVariable("CODE4ME_LSP_EXE") is { Length: > 0 } path)
            {
                return path;
            }

            // .../tests/Code4me.Lsp.IntegrationTests/bin/<Configuration>/<tfm>/
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var tfm = testOutput.Name;
            var configuration = testOutput.Parent!.Name;
            var root = testOutput.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "server", "Code4me.Lsp", "bin", configuration, tfm, "code4me-lsp");
        }
    }

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

    /// <summary>Waits until stderr has at least <paramref name="count"/> lines containing <paramref name="text"/>.</summary>
    public async Task WaitForStderrAsync(string text, int count = 1)
    {
        var timeout = TestTimeout.Token();
        while (Stderr.Split('\n').Count(line => line.Contains(text, StringComparison.Ordinal)) < count)
        {
            await _stderrLine.WaitAsync(timeout);
        }
    }

    public static ServerProcess Start(params string[] arguments) => new(Process.Start(StartInfo(arguments))!);

    /// <summary>Starts the server with <paramref name="environment"/> added to (or replacing in) its environment.</summary>
    public static ServerProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        new(Process.Start(StartInfo(arguments, environment))!);

    /// <summary>Runs a command to completion: (exit code, stdout, stderr).</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments) =>
        RunAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Runs a command to completion with <paramref name="environment"/> added to (or replacing in) its environment.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(arguments, environment))!;
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
        _stderrLine.Dispose();
    }

    /// <summary>The executable with <paramref name="arguments"/>; <paramref name="environment"/> is added to (or replaces in) its environment.</summary>
    private static ProcessStartInfo StartInfo(string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
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

        // Never the user's spool: each process gets its own folder unless the test names one.
        info.Environment["Code4me__Telemetry__Spool__Directory"] = Directory.CreateTempSubdirectory("code4me-spool-").FullName;
        info.Environment.Remove("CODE4ME_DATABASE_URL");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }
}
