using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>Parameters of <c>code4me/documentState</c>: which open document to describe.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class DocumentStateParams
{
    [JsonPropertyName("textDocument")]
    [JsonRequired]
    public required TextDocumentIdentifier TextDocument { get; init; }
}
