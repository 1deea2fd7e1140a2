using System.Text.Json;
using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of the <c>initialize</c> request.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#initializeParams"/>
internal sealed class InitializeParams
{
    /// <summary>The client's process id; the server exits when that process dies. Null when the client has no process.</summary>
    [JsonPropertyName("processId")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ProcessId { get; init; }

    [JsonPropertyName("clientInfo")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ClientInfo? ClientInfo { get; init; }

    [JsonPropertyName("locale")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Locale { get; init; }

    [JsonPropertyName("rootUri")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RootUri { get; init; }

    [JsonPropertyName("rootPath")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RootPath { get; init; }

    [JsonPropertyName("capabilities")]
    [JsonRequired]
    public required ClientCapabilities Capabilities { get; init; }

    /// <summary>The <c>code4me</c> settings section.</summary>
    [JsonPropertyName("initializationOptions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? InitializationOptions { get; init; }

    [JsonPropertyName("trace")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Trace { get; init; }

    [JsonPropertyName("workspaceFolders")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WorkspaceFolder[]? WorkspaceFolders { get; init; }
}
