using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>One message of a chat: the user's (<c>role: "user"</c>) or the reply (<c>"assistant"</c>), linked by <c>queryId</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ChatHistoryMessage
{
    [JsonPropertyName("queryId")]
    [JsonRequired]
    public required string QueryId { get; init; }

    [JsonPropertyName("role")]
    [JsonRequired]
    public required string Role { get; init; }

    [JsonPropertyName("content")]
    [JsonRequired]
    public required string Content { get; init; }

    [JsonPropertyName("timestamp")]
    [JsonRequired]
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Replies only: <c>completed</c>, <c>cancelled</c> or <c>failed</c> (the last two keep what arrived).</summary>
    [JsonPropertyName("outcome")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Outcome { get; init; }

    [JsonPropertyName("isMistake")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? IsMistake { get; init; }

    [JsonPropertyName("mistakeNote")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MistakeNote { get; init; }
}
