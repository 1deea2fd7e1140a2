using System.ClientModel;
using System.ClientModel.Primitives;
using Code4me.Lsp.Core.Completion.Remote;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Code4me.Lsp.Core.Chat;

/// <summary>
/// Any OpenAI-compatible chat endpoint through Microsoft.Extensions.AI.OpenAI. No retries (a failure is reported at
/// once, with the partial reply kept); loopback is never proxied; the key is read from the environment variable
/// the settings name, at call time, and never logged.
/// </summary>
public sealed class OpenAiChatClientFactory : IChatClientFactory
{
    private readonly Lazy<HttpClient> _http = new(() => new HttpClient(RemoteHttp.CreateHandler(caBundlePath: null)) { Timeout = Timeout.InfiniteTimeSpan });

    public IChatClient Create(ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = options.ApiKeyEnvironmentVariable is { Length: > 0 } name ? Environment.GetEnvironmentVariable(name) : null;
        var client = new OpenAIClient(
            new ApiKeyCredential(string.IsNullOrEmpty(key) ? "no-key" : key),
            new OpenAIClientOptions
            {
                Endpoint = new Uri(options.Endpoint!),
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                NetworkTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
                Transport = new HttpClientPipelineTransport(_http.Value),
            });
        return client.GetChatClient(options.Model!).AsIChatClient();
    }
}
