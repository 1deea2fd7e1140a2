using System.Security.Cryptography;
using System.Text;

namespace Code4me.Lsp.Core.Documents;

/// <summary>The SHA-256 of a text's UTF-8 bytes, read leaf by leaf from the rope (never the whole text at once).</summary>
public static class TextHash
{
    /// <summary>Lower-case hex, as <c>sha256sum</c> prints it.</summary>
    public static string Sha256(Rope text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Encoding.UTF8.GetMaxByteCount(Rope.MaxLeafLength)];
        var encoder = Encoding.UTF8.GetEncoder();
        foreach (var chunk in text.Chunks())
        {
            // The encoder carries a surrogate pair split across two leaves.
            var count = encoder.GetBytes(chunk.Span, buffer, flush: false);
            hash.AppendData(buffer, 0, count);
        }

        hash.AppendData(buffer, 0, encoder.GetBytes([], buffer, flush: true));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
