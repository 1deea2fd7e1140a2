using System.Text.Json;
using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>The capabilities the server actually implements.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#serverCapabilities"/>
internal sealed class ServerCapabilities
{
    /// <summary>The negotiated position encoding.</summary>
    [JsonPropertyName("positionEncoding")]
    [JsonRequired]
    public required string PositionEncoding { get; init; }

    [JsonPropertyName("textDocumentSync")]
    [JsonRequired]
    public required TextDocumentSyncOptions TextDocumentSync { get; init; }

    [JsonPropertyName("inlineCompletionProvider")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? InlineCompletionProvider { get; init; }

    [JsonPropertyName("executeCommandProvider")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ExecuteCommandOptions? ExecuteCommandProvider { get; init; }

    [JsonPropertyName("experimental")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Experimental { get; init; }
}
