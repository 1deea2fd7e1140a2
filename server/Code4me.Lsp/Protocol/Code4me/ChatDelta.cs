using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>The value of a <c>$/progress</c> partial result of <c>code4me/chat</c>: the next piece of the reply.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ChatDelta
{
    [JsonPropertyName("delta")]
    [JsonRequired]
    public required string Delta { get; init; }
}
