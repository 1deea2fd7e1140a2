using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>code4me/chatFeedback</c>: mark a reply as a mistake (with a note), or clear the mark.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ChatFeedbackParams
{
    [JsonPropertyName("chatId")]
    [JsonRequired]
    public required string ChatId { get; init; }

    [JsonPropertyName("queryId")]
    [JsonRequired]
    public required string QueryId { get; init; }

    [JsonPropertyName("isMistake")]
    [JsonRequired]
    public bool IsMistake { get; init; }

    [JsonPropertyName("note")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Note { get; init; }
}
