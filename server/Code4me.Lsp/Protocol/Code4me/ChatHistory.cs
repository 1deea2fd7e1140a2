using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Result of <c>code4me/chatHistory</c>: the chat and its messages, oldest first.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ChatHistory
{
    [JsonPropertyName("chatId")]
    [JsonRequired]
    public required string ChatId { get; init; }

    [JsonPropertyName("title")]
    [JsonRequired]
    public required string Title { get; init; }

    [JsonPropertyName("createdAt")]
    [JsonRequired]
    public DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("model")]
    [JsonRequired]
    public required string Model { get; init; }

    /// <summary>The provider the chat is bound to (scheme, host and port of its endpoint).</summary>
    [JsonPropertyName("provider")]
    [JsonRequired]
    public required string Provider { get; init; }

    /// <summary>The context window the chat was started with; its later messages keep it.</summary>
    [JsonPropertyName("contextWindowTokens")]
    [JsonRequired]
    public int ContextWindowTokens { get; init; }

    [JsonPropertyName("messages")]
    [JsonRequired]
    public required ChatHistoryMessage[] Messages { get; init; }
}
