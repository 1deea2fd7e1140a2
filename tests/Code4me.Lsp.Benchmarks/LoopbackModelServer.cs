using System.Net;
using System.Text;

namespace Code4me.Lsp.Benchmarks;

/// <summary>
/// An OpenAI-compatible <c>/v1/completions</c> endpoint on loopback that answers at once with a fixed body, and keeps
/// the last request body it received (so a reference call can send exactly what the server sent).
/// </summary>
internal sealed class LoopbackModelServer : IAsyncDisposable
{
    public const string ResponseBody = """{"id":"x","object":"text_completion","choices":[{"index":0,"text":"path, delimiter=',')","finish_reason":"stop","logprobs":{"tokens":["path"],"token_logprobs":[-0.1]}}]}""";

    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private volatile byte[] _lastRequest = [];

    public LoopbackModelServer()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}/v1/completions");

    /// <summary>The body of the last request received.</summary>
    public byte[] LastRequest => _lastRequest;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serving;
        _listener.Close();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        var payload = Encoding.UTF8.GetBytes(ResponseBody);
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _lastRequest = body.ToArray();
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = payload.Length;
            await context.Response.OutputStream.WriteAsync(payload);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
