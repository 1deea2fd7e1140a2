using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Result of <c>code4me/chats</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ChatList
{
    [JsonPropertyName("chats")]
    [JsonRequired]
    public required ChatSummary[] Chats { get; init; }

    /// <summary>The page to ask for next; absent on the last page.</summary>
    [JsonPropertyName("nextPage")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NextPage { get; init; }
}
