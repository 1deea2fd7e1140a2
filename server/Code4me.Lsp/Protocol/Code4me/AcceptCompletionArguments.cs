using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>The single argument of the <c>code4me.acceptCompletion</c> command: which query and which model's generation was accepted.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class AcceptCompletionArguments
{
    /// <summary>The completion query id (a UUID).</summary>
    [JsonPropertyName("queryId")]
    [JsonRequired]
    public required string QueryId { get; init; }

    /// <summary>The model whose generation was shown.</summary>
    [JsonPropertyName("model")]
    [JsonRequired]
    public required string Model { get; init; }
}
