using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Code4me.Lsp.Benchmarks;

/// <summary>Drives the real executable over stdio with LSP framing, for measurements.</summary>
internal sealed class LspProcessClient : IDisposable
{
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly byte[] _one = new byte[1];

    private LspProcessClient(Process process)
    {
        Process = process;
        _input = process.StandardInput.BaseStream;
        _output = process.StandardOutput.BaseStream;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>Messages of the <c>$/logTrace</c> notifications seen while reading responses.</summary>
    public List<string> Traces { get; } = [];

    public static LspProcessClient Start(string executable, params string[] arguments)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new LspProcessClient(Process.Start(info)!);
    }

    public async Task SendAsync(object message, bool flush = true)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message);
        await _input.WriteAsync(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"));
        await _input.WriteAsync(body);
        if (flush)
        {
            await _input.FlushAsync();
        }
    }

    /// <summary>Reads messages until the response with <paramref name="id"/>.</summary>
    public async Task<JsonElement> ReadResponseAsync(int id)
    {
        while (true)
        {
            var length = 0;
            string line;
            while ((line = await ReadLineAsync()).Length > 0)
            {
                if (line.StartsWith("Content-Length: ", StringComparison.Ordinal))
                {
                    length = int.Parse(line[16..], CultureInfo.InvariantCulture);
                }
            }

            var body = new byte[length];
            await _output.ReadExactlyAsync(body);
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("method", out var method) && method.GetString() == "$/logTrace")
            {
                Traces.Add(document.RootElement.GetProperty("params").GetProperty("message").GetString()!);
            }

            // A request of the server's own (it has a method) may carry the same id as ours: only a response counts.
            if (!document.RootElement.TryGetProperty("method", out _)
                && document.RootElement.TryGetProperty("id", out var responseId) && responseId.ValueKind == JsonValueKind.Number && responseId.GetInt32() == id)
            {
                return document.RootElement.Clone();
            }
        }
    }

    /// <summary>
    /// Sends a request and reads its response (timing the round trip), then the server's own time for it from <c>$/logTrace</c> (the client
    /// must have sent <c>$/setTrace messages</c>). The trace follows the response, so a second request (an unknown
    /// method, answered at once) flushes it through. Uses ids <paramref name="id"/> and <paramref name="id"/> + 1.
    /// </summary>
    public async Task<(JsonElement Response, double ServerMs, double RoundTripMs)> RequestTracedAsync(int id, string method, object? parameters)
    {
        Traces.Clear();
        var stopwatch = Stopwatch.StartNew();
        await SendAsync(Request(id, method, parameters));
        var response = await ReadResponseAsync(id);
        var roundTripMs = stopwatch.Elapsed.TotalMilliseconds;
        await SendAsync(Request(id + 1, "bench/flush-trace", null));
        await ReadResponseAsync(id + 1);
        var trace = Traces.First(t => t.Contains($"'{method}'", StringComparison.Ordinal));
        return (response, double.Parse(trace.Split(" in ")[1].Split(' ')[0], CultureInfo.InvariantCulture), roundTripMs);
    }

    /// <summary>The <paramref name="percentile"/>th value of an ascending list.</summary>
    public static double Percentile(List<double> sorted, int percentile) => sorted[Math.Min(sorted.Count - 1, sorted.Count * percentile / 100)];

    public static object Request(int id, string method, object? parameters) => new Dictionary<string, object?> { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters };

    public static object Notification(string method, object? parameters) => new Dictionary<string, object?> { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters };

    /// <summary>Resident memory of the process (VmRSS), in MiB.</summary>
    /// <summary>The resident memory of the server and every process it started (a launcher may start the real server).</summary>
    public double ResidentTreeMiB()
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after its closing parenthesis.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(pid);
            }
            catch (IOException)
            {
                // The process ended while it was read.
            }
        }

        var total = 0.0;
        var pending = new Stack<int>([Process.Id]);
        while (pending.TryPop(out var pid))
        {
            if (ResidentKiB(pid) is var kib && !double.IsNaN(kib))
            {
                total += kib;
            }

            foreach (var child in children.GetValueOrDefault(pid, []))
            {
                pending.Push(child);
            }
        }

        return total / 1024;
    }

    private static double ResidentKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The process ended while it was read.
        }

        return double.NaN;
    }

    public double ResidentMiB() => ResidentKiB(Process.Id) / 1024;

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        Process.Dispose();
    }

    private async Task<string> ReadLineAsync()
    {
        var builder = new StringBuilder();
        while (await _output.ReadAsync(_one) == 1)
        {
            if (_one[0] == '\n')
            {
                return builder.ToString().TrimEnd('\r');
            }

            builder.Append((char)_one[0]);
        }

        throw new EndOfStreamException("The server closed stdout.");
    }
}
