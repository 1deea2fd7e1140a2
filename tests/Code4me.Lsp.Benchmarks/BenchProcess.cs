using System.Diagnostics;

namespace Code4me.Lsp.Benchmarks;

/// <summary>A program the benchmarks run to its end (a publish, an install, a migration): its output kept for the error.</summary>
internal static class BenchProcess
{
    /// <summary>Runs <paramref name="exe"/> to its end; <see cref="InvalidOperationException"/> with its output when it fails.</summary>
    public static async Task RunToEndAsync(string exe, params string[] arguments)
    {
        var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{exe} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stdout}{await stderr}");
        }
    }
}
