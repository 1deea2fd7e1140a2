using System.Text.Json.Serialization;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>How a completion was triggered; the names are the seed's <c>trigger_type.trigger_type_name</c> values.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CompletionTrigger>))]
public enum CompletionTrigger
{
    /// <summary>The user asked (<c>InlineCompletionTriggerKind.Invoked</c>).</summary>
    [JsonStringEnumMemberName("manual")]
    Manual,

    /// <summary>The editor asked while the user typed (<c>InlineCompletionTriggerKind.Automatic</c>, the document changed within <c>IdleTriggerMs</c>).</summary>
    [JsonStringEnumMemberName("auto")]
    Auto,

    /// <summary>
    /// The editor asked automatically during a pause: the document had not changed for <c>IdleTriggerMs</c> (or since it was
    /// opened). LSP has no server-initiated inline completion, so a pause before an automatic request is what "triggered
    /// during idle time" can mean here.
    /// </summary>
    [JsonStringEnumMemberName("idle")]
    Idle,
}
