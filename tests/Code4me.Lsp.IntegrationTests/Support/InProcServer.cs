using Code4me.Lsp.Commands;
using Code4me.Lsp.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nerdbank.Streams;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>
/// The real server host, in this process, over a real duplex pipe with real LSP framing. Tests talk to it
/// only through <see cref="Client"/> (or <see cref="OpenRawConnection"/>), never by calling handlers.
/// </summary>
internal sealed class InProcServer : IAsyncDisposable
{
    private readonly Stream _clientStream;
    private readonly CancellationTokenSource _stop = new();

    private InProcServer(Stream clientStream, Task<int> exitCode, XunitLoggerProvider logs, string spoolDirectory)
    {
        _clientStream = clientStream;
        ExitCode = exitCode;
        Logs = logs;
        SpoolDirectory = spoolDirectory;
    }

    /// <summary>This server's own telemetry spool (a fresh temp folder, never the user's).</summary>
    public string SpoolDirectory { get; }

    /// <summary>Completes with the exit code the process would have.</summary>
    public Task<int> ExitCode { get; }

    public XunitLoggerProvider Logs { get; }

    public LspTestClient Client { get; private set; } = null!;

    public static InProcServer Start(ITestOutputHelper output, IReadOnlyList<string>? config = null, Action<IServiceCollection>? services = null, bool connectClient = true)
    {
        var (clientStream, serverStream) = FullDuplexStream.CreatePair();
        var logs = new XunitLoggerProvider(output);
        var spool = Directory.CreateTempSubdirectory("code4me-spool-").FullName;
        string[] settings = [$"Code4me:Telemetry:Spool:Directory={spool}", .. config ?? []];
        var exit = Task.Run(() => ServeCommand.RunAsync(
            new LanguageServerTransport(serverStream, serverStream),
            settings,
            TextWriter.Null,
            CancellationToken.None,
            logging => logging.AddProvider(logs),
            services));
        var server = new InProcServer(clientStream, exit, logs, spool);
        if (connectClient)
        {
            server.Client = new LspTestClient(clientStream, clientStream);
        }

        return server;
    }

    /// <summary>A frame-level connection for sending malformed input (use instead of <see cref="Client"/>).</summary>
    public RawLspConnection OpenRawConnection() => new(_clientStream, _clientStream);

    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        _clientStream.Dispose();
        await ExitCode.WaitAsync(TestTimeout.Value);
        _stop.Dispose();
        Directory.Delete(SpoolDirectory, recursive: true);
    }
}
