using System.Text.Json.Serialization;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>How a completion was triggered; the names are the seed's <c>trigger_type.trigger_type_name</c> values.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CompletionTrigger>))]
public enum CompletionTrigger
{
    /// <summary>The user asked (<c>InlineCompletionTriggerKind.Invoked</c>).</summary>
    [JsonStringEnumMemberName("manual")]
    Manual,

    /// <summary>The editor asked while the user typed (<c>InlineCompletionTriggerKind.Automatic</c>).</summary>
    [JsonStringEnumMemberName("auto")]
    Auto,

    /// <summary>The server triggered after a pause in typing.</summary>
    [JsonStringEnumMemberName("idle")]
    Idle,
}
