using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>code4me/deleteChat</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class DeleteChatParams
{
    [JsonPropertyName("chatId")]
    [JsonRequired]
    public required string ChatId { get; init; }
}
