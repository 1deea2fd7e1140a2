using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Result of <c>code4me/chat</c>: the whole reply (also when it was streamed).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ChatResult
{
    [JsonPropertyName("chatId")]
    [JsonRequired]
    public required string ChatId { get; init; }

    [JsonPropertyName("queryId")]
    [JsonRequired]
    public required string QueryId { get; init; }

    [JsonPropertyName("reply")]
    [JsonRequired]
    public required string Reply { get; init; }

    [JsonPropertyName("model")]
    [JsonRequired]
    public required string Model { get; init; }

    [JsonPropertyName("usage")]
    [JsonRequired]
    public required ChatUsage Usage { get; init; }

    /// <summary>Older exchanges left out of the prompt verbatim because the conversation outgrew the context window.</summary>
    [JsonPropertyName("truncatedTurns")]
    [JsonRequired]
    public int TruncatedTurns { get; init; }

    /// <summary><c>truncation</c> or <c>summarization</c> when older turns were left out (and recorded); absent otherwise.</summary>
    [JsonPropertyName("contextOptimization")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ContextOptimization { get; init; }
}
