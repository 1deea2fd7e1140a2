using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>code4me/renameChat</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class RenameChatParams
{
    [JsonPropertyName("chatId")]
    [JsonRequired]
    public required string ChatId { get; init; }

    [JsonPropertyName("title")]
    [JsonRequired]
    public required string Title { get; init; }
}
