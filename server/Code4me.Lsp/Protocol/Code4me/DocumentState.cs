using System.Text.Json.Serialization;

namespace Code4me.Lsp.Protocol;

/// <summary>
/// The server's view of an open document, so a client (or a test) can check that synchronisation is
/// exact without the server ever echoing code text: version, sizes and a SHA-256 of the UTF-8 text.
/// </summary>
internal sealed class DocumentState
{
    [JsonPropertyName("uri")]
    [JsonRequired]
    public required string Uri { get; init; }

    [JsonPropertyName("languageId")]
    [JsonRequired]
    public required string LanguageId { get; init; }

    [JsonPropertyName("version")]
    [JsonRequired]
    public int Version { get; init; }

    /// <summary>Length in UTF-16 code units.</summary>
    [JsonPropertyName("length")]
    [JsonRequired]
    public int Length { get; init; }

    [JsonPropertyName("lineCount")]
    [JsonRequired]
    public int LineCount { get; init; }

    /// <summary>Lower-case hex SHA-256 of the document text encoded as UTF-8.</summary>
    [JsonPropertyName("sha256")]
    [JsonRequired]
    public required string Sha256 { get; init; }
}
