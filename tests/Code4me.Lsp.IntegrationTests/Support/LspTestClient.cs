using System.Text.Json;
using System.Threading.Channels;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using StreamJsonRpc;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>
/// A JSON-RPC client the way an editor is one: StreamJsonRpc over LSP framing with the server's own
/// formatter. Server-to-client notifications are collected in channels per method.
/// </summary>
internal sealed class LspTestClient : IAsyncDisposable
{
    private static readonly string[] s_serverNotifications = [LspMethods.WindowLogMessage, LspMethods.WindowShowMessage, LspMethods.LogTrace, LspMethods.Progress, LspMethods.WindowWorkDoneProgressCreate, LspMethods.Code4meStatus];

    private readonly JsonRpc _rpc;
    private readonly Dictionary<string, Channel<JsonElement>> _notifications = [];

    public LspTestClient(Stream output, Stream input)
    {
        _rpc = new JsonRpc(new HeaderDelimitedMessageHandler(output, input, LspJson.CreateFormatter()));
        foreach (var method in s_serverNotifications)
        {
            var channel = Channel.CreateUnbounded<JsonElement>();
            _notifications[method] = channel;
            _rpc.AddLocalRpcMethod(
                typeof(NotificationSink).GetMethod(nameof(NotificationSink.Receive))!,
                new NotificationSink(channel),
                new JsonRpcMethodAttribute(method) { UseSingleObjectParameterDeserialization = true });
        }

        _rpc.AddLocalRpcMethod(
            typeof(ConfigurationSource).GetMethod(nameof(ConfigurationSource.Answer))!,
            _configuration,
            new JsonRpcMethodAttribute(LspMethods.WorkspaceConfiguration) { UseSingleObjectParameterDeserialization = true });
        _rpc.StartListening();
    }

    private readonly ConfigurationSource _configuration = new();

    /// <summary>
    /// The <c>code4me</c> section this client answers <c>workspace/configuration</c> with (the way an editor answers
    /// from its settings); null answers <c>[null]</c>. Only asked when initialized with <c>configuration: true</c>.
    /// </summary>
    public object? Settings { get => _configuration.Settings; set => _configuration.Settings = value; }

    /// <summary>Every <c>workspace/configuration</c> request the server sent (its params).</summary>
    public ChannelReader<JsonElement> ConfigurationRequests => _configuration.Requests.Reader;

    public JsonRpc Rpc => _rpc;

    public ChannelReader<JsonElement> Notifications(string method) => _notifications[method].Reader;

    public Task<InitializeResult> InitializeAsync(object? initializationOptions = null, string[]? positionEncodings = null, int? processId = null, string clientName = "test-client", string[]? workspaceFolders = null, bool configuration = false) =>
        RequestAsync<InitializeResult>(LspMethods.Initialize, new
        {
            processId,
            clientInfo = new { name = clientName, version = "1.0" },
            capabilities = new
            {
                general = new { positionEncodings = positionEncodings ?? ["utf-16"] },
                window = new { workDoneProgress = true },
                workspace = new { configuration },
            },
            initializationOptions,
            workspaceFolders = (workspaceFolders ?? []).Select(f => new { uri = new Uri(f).AbsoluteUri, name = Path.GetFileName(f) }).ToArray(),
        });

    /// <summary>Tokens the server created with window/workDoneProgress/create.</summary>
    public ChannelReader<JsonElement> ProgressTokens => _notifications[LspMethods.WindowWorkDoneProgressCreate].Reader;

    public async Task<InitializeResult> InitializedAsync(object? initializationOptions = null, string[]? positionEncodings = null, bool configuration = false)
    {
        var result = await InitializeAsync(initializationOptions, positionEncodings, configuration: configuration);
        await NotifyAsync(LspMethods.Initialized, new { });
        return result;
    }

    public Task OpenAsync(string uri, string text, string languageId = "python", int version = 1) =>
        NotifyAsync(LspMethods.TextDocumentDidOpen, new { textDocument = new { uri, languageId, version, text } });

    public Task ChangeAsync(string uri, int version, params object[] contentChanges) =>
        NotifyAsync(LspMethods.TextDocumentDidChange, new { textDocument = new { uri, version }, contentChanges });

    public static object Edit(int startLine, int startCharacter, int endLine, int endCharacter, string text) =>
        new { range = new { start = new { line = startLine, character = startCharacter }, end = new { line = endLine, character = endCharacter } }, text };

    /// <summary>Sends a request; parameters are any object, serialised as JSON by reflection (test side only).</summary>
    public async Task<T> RequestAsync<T>(string method, object? parameters, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TestTimeout.Value);
        var element = await _rpc.InvokeWithParameterObjectAsync<JsonElement>(method, ToElement(parameters), timeout.Token);
        return element.ValueKind == JsonValueKind.Null ? default! : element.Deserialize<T>(LspJson.Options)!;
    }

    public Task NotifyAsync(string method, object? parameters) => _rpc.NotifyWithParameterObjectAsync(method, ToElement(parameters));

    public async Task ShutdownAndExitAsync()
    {
        await RequestAsync<JsonElement?>(LspMethods.Shutdown, null);
        await NotifyAsync(LspMethods.Exit, null);
    }

    /// <summary>Waits (bounded) for a server message that matches.</summary>
    public static async Task<JsonElement> ReadUntilAsync(System.Threading.Channels.ChannelReader<JsonElement> reader, Func<JsonElement, bool> match)
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Value);
        await foreach (var item in reader.ReadAllAsync(timeout.Token))
        {
            if (match(item))
            {
                return item;
            }
        }

        throw new InvalidOperationException("The channel completed without a matching message.");
    }

    public async ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        await Task.CompletedTask;
    }

    private static JsonElement? ToElement(object? parameters) =>
        parameters is null ? null : JsonSerializer.SerializeToElement(parameters, parameters.GetType(), s_reflection);

    private static readonly JsonSerializerOptions s_reflection = new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    private sealed class ConfigurationSource
    {
        public object? Settings { get; set; }

        public Channel<JsonElement> Requests { get; } = Channel.CreateUnbounded<JsonElement>();

        public JsonElement Answer(JsonElement parameters)
        {
            Requests.Writer.TryWrite(parameters.Clone());
            var items = parameters.GetProperty("items").GetArrayLength();
            var section = Settings is null ? default : JsonSerializer.SerializeToElement(Settings, Settings.GetType(), s_reflection);
            return JsonSerializer.SerializeToElement(Enumerable.Repeat<JsonElement?>(Settings is null ? null : section, items).ToArray(), s_reflection);
        }
    }

    private sealed class NotificationSink(Channel<JsonElement> channel)
    {
        public void Receive(JsonElement parameters) => channel.Writer.TryWrite(parameters.Clone());
    }
}
