using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>code4me/queryState</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class QueryStateParams
{
    [JsonPropertyName("queryId")]
    [JsonRequired]
    public required string QueryId { get; init; }
}
