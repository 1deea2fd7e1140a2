using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>code4me/chatHistory</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ChatHistoryParams
{
    [JsonPropertyName("chatId")]
    [JsonRequired]
    public required string ChatId { get; init; }
}
