using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>A document URI with the version the client's edit produces.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#versionedTextDocumentIdentifier"/>
internal sealed class VersionedTextDocumentIdentifier
{
    [JsonPropertyName("uri")]
    [JsonRequired]
    public required string Uri { get; init; }

    [JsonPropertyName("version")]
    [JsonRequired]
    public int Version { get; init; }
}
