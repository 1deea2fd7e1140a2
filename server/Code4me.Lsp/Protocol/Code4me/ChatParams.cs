using System.Text.Json;
using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>code4me/chat</c>: a message to a new chat (no <c>chatId</c>) or an existing one, with optional code context.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ChatParams
{
    [JsonPropertyName("chatId")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ChatId { get; init; }

    [JsonPropertyName("message")]
    [JsonRequired]
    public required string Message { get; init; }

    [JsonPropertyName("textDocument")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TextDocumentIdentifier? TextDocument { get; init; }

    /// <summary>The selection in <c>textDocument</c>; its text goes into the prompt.</summary>
    [JsonPropertyName("range")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Range? Range { get; init; }

    [JsonPropertyName("webEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? WebEnabled { get; init; }

    /// <summary>A progress token (string or integer); each piece of the reply is sent as <c>$/progress</c> with it.</summary>
    [JsonPropertyName("partialResultToken")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? PartialResultToken { get; init; }
}
