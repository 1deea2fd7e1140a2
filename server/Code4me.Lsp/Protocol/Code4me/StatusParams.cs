using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>
/// Parameters of <c>code4me/status</c> (server → client), sent after <c>initialized</c> and whenever one of its fields
/// changes, for a status-bar or mode-line indicator.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class StatusParams
{
    /// <summary><c>ready</c>, <c>thinking</c> (a query is with the models) or <c>unreachable</c> (a configured model failed its last call).</summary>
    [JsonPropertyName("state")]
    [JsonRequired]
    public required string State { get; init; }

    /// <summary>Whether telemetry consent is on (<c>telemetry.consent.enabled</c>).</summary>
    [JsonPropertyName("consent")]
    [JsonRequired]
    public bool Consent { get; init; }

    /// <summary>For <c>unreachable</c>: which models and why, e.g. <c>remote: connection: Connection refused</c>.</summary>
    [JsonPropertyName("message")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }
}
