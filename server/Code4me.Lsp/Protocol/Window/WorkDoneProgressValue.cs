using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>A work-done progress value: <c>begin</c>, <c>report</c> or <c>end</c> (one type; unused fields are omitted).</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#workDoneProgressBegin"/>
internal sealed class WorkDoneProgressValue
{
    [JsonPropertyName("kind")]
    [JsonRequired]
    public required string Kind { get; init; }

    [JsonPropertyName("title")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Title { get; init; }

    [JsonPropertyName("message")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }

    /// <summary>0–100.</summary>
    [JsonPropertyName("percentage")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Percentage { get; init; }

    [JsonPropertyName("cancellable")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Cancellable { get; init; }
}
