using System.Runtime.CompilerServices;
using Code4me.Lsp.Core.Chat;
using Microsoft.Extensions.AI;

namespace Code4me.Lsp.Tests.Chat;

/// <summary>An <see cref="IChatClient"/> that streams scripted pieces; it records the prompts it was given.</summary>
internal sealed class ScriptedChatClient : IChatClient, IChatClientFactory
{
    public List<string> Pieces { get; } = [];

    public UsageDetails? Usage { get; set; }

    /// <summary>Thrown after the pieces, when set.</summary>
    public Exception? FailAfterPieces { get; set; }

    /// <summary>Completed when the pieces were sent; the stream then waits for cancellation.</summary>
    public TaskCompletionSource? HangAfterPieces { get; set; }

    public List<IReadOnlyList<ChatMessage>> Prompts { get; } = [];

    /// <summary>The model of each client made, and of each request.</summary>
    public List<string?> Models { get; } = [];

    public IChatClient Create(Code4me.Lsp.Core.Chat.ChatOptions options)
    {
        Models.Add(options.Model);
        return this;
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Prompts.Add([.. messages]);
        Models.Add(options?.ModelId);
        foreach (var piece in Pieces)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ModelId = "scripted" };
        }

        if (HangAfterPieces is { } hang)
        {
            hang.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (FailAfterPieces is { } failure)
        {
            throw failure;
        }

        if (Usage is { } usage)
        {
            yield return new ChatResponseUpdate { Contents = [new UsageContent(usage)] };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
