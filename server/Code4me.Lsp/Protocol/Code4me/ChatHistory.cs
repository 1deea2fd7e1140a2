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

    [JsonPropertyName("messages")]
    [JsonRequired]
    public required ChatHistoryMessage[] Messages { get; init; }
}
