using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>What the server recorded about a completion query (a diagnostic for client authors and tests).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class QueryState
{
    [JsonPropertyName("queryId")]
    [JsonRequired]
    public required string QueryId { get; init; }

    [JsonPropertyName("shownCount")]
    [JsonRequired]
    public int ShownCount { get; init; }

    [JsonPropertyName("accepted")]
    [JsonRequired]
    public bool Accepted { get; init; }

    [JsonPropertyName("acceptedModel")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AcceptedModel { get; init; }

    [JsonPropertyName("partiallyAcceptedLength")]
    [JsonRequired]
    public int PartiallyAcceptedLength { get; init; }

    [JsonPropertyName("rejected")]
    [JsonRequired]
    public bool Rejected { get; init; }

    [JsonPropertyName("models")]
    [JsonRequired]
    public required string[] Models { get; init; }

    /// <summary>The suggestion was served from the typed-ahead cache, without a model call.</summary>
    [JsonPropertyName("fromCache")]
    [JsonRequired]
    public bool FromCache { get; init; }
}
