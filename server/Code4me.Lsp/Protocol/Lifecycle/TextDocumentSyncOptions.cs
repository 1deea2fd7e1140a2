using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>How the server wants documents synchronised.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#textDocumentSyncOptions"/>
internal sealed class TextDocumentSyncOptions
{
    [JsonPropertyName("openClose")]
    [JsonRequired]
    public bool OpenClose { get; init; }

    /// <summary><see cref="TextDocumentSyncKind"/>.</summary>
    [JsonPropertyName("change")]
    [JsonRequired]
    public int Change { get; init; }
}
