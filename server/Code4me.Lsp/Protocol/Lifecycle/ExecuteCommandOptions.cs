using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Commands the server executes through <c>workspace/executeCommand</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#executeCommandOptions"/>
internal sealed class ExecuteCommandOptions
{
    [JsonPropertyName("commands")]
    [JsonRequired]
    public required string[] Commands { get; init; }
}
