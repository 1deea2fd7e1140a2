using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>One chat in <c>code4me/chats</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ChatSummary
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
}
