using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Token usage of one reply; <c>estimated</c> when the provider reported none (characters / 4).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ChatUsage
{
    [JsonPropertyName("promptTokens")]
    [JsonRequired]
    public int PromptTokens { get; init; }

    [JsonPropertyName("completionTokens")]
    [JsonRequired]
    public int CompletionTokens { get; init; }

    [JsonPropertyName("estimated")]
    [JsonRequired]
    public bool Estimated { get; init; }

    /// <summary>Present when prices are configured (<c>Code4me:Chat:PricePer1k*Tokens</c>).</summary>
    [JsonPropertyName("cost")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? Cost { get; init; }
}
