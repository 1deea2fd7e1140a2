using System.Text.Json;
using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary><c>$/progress</c> carrying a piece of a streamed chat reply.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ChatProgressParams
{
    /// <summary>The <c>partialResultToken</c> of the request, as sent.</summary>
    [JsonPropertyName("token")]
    [JsonRequired]
    public JsonElement Token { get; init; }

    [JsonPropertyName("value")]
    [JsonRequired]
    public required ChatDelta Value { get; init; }
}
