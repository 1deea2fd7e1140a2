using System.Buffers;
using System.Text.RegularExpressions;

namespace Code4me.Lsp.Core.Privacy;

/// <summary>
/// Replaces strings that look like keys, tokens and passwords with <c>«redacted:kind»</c>. Applied to every
/// code text that is recorded (prefix, suffix, selected text, ground truth and its context, generations) before
/// it is enqueued, and to the prompt before it is sent to a model. Patterns err on the side of redacting.
/// </summary>
public static partial class SecretRedactor
{
    private const int MinValueLength = 20;
    private static readonly SearchValues<char> s_valueAlphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_=~-");

    /// <summary>The kinds, in the order they are applied (the first one that matches a span names it).</summary>
    public static IReadOnlyList<string> Kinds { get; } =
        ["private-key", "aws-access-key", "github-token", "slack-token", "stripe-key", "google-api-key", "jwt", "password", "high-entropy"];

    /// <summary>The text with secrets replaced; <paramref name="text"/> itself when it holds none (or is null).</summary>
    public static string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        // Every pattern is linear in the text, or bounded by a literal it starts with: no timeout, so a busy machine
        // never blanks a text (a timeout used to replace all of it with «redacted:unscannable»).
        // Both key patterns need this literal; a vectorised search spares the tail pattern's scan of every character.
        var result = text;
        if (text.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            result = PrivateKeyBlock().Replace(result, "«redacted:private-key»");
            result = PrivateKeyTail().Replace(result, "«redacted:private-key»");
        }

        result = AwsAccessKey().Replace(result, "«redacted:aws-access-key»");
        result = GitHubToken().Replace(result, "«redacted:github-token»");
        result = SlackToken().Replace(result, "«redacted:slack-token»");
        result = StripeKey().Replace(result, "«redacted:stripe-key»");
        result = GoogleApiKey().Replace(result, "«redacted:google-api-key»");
        result = Jwt().Replace(result, "«redacted:jwt»");
        result = PasswordAssignment().Replace(result, m => ReplaceValue(m, "password"));
        if (HasLongValueRun(result))
        {
            result = HighEntropyAssignment().Replace(result, m => LooksRandom(m.Groups["v"].Value) ? ReplaceValue(m, "high-entropy") : m.Value);
        }

        return result;
    }

    /// <summary>
    /// Whether <paramref name="text"/> holds 20 characters in a row of the high-entropy value alphabet, as every match of
    /// <see cref="HighEntropyAssignment"/> does. Most code has none, and this vectorised scan costs far less than the
    /// pattern's attempt at every identifier character.
    /// </summary>
    internal static bool HasLongValueRun(ReadOnlySpan<char> text)
    {
        while (true)
        {
            var start = text.IndexOfAny(s_valueAlphabet);
            if (start < 0)
            {
                return false;
            }

            text = text[start..];
            var length = text.IndexOfAnyExcept(s_valueAlphabet);
            if (length < 0)
            {
                return text.Length >= MinValueLength;
            }

            if (length >= MinValueLength)
            {
                return true;
            }

            text = text[length..];
        }
    }

    private static string ReplaceValue(Match match, string kind)
    {
        var value = match.Groups["v"];
        return string.Concat(match.Value.AsSpan(0, value.Index - match.Index), $"«redacted:{kind}»", match.Value.AsSpan(value.Index - match.Index + value.Length));
    }

    /// <summary>At least 20 characters from at least three of upper, lower, digit, symbol, with ≥ 3.5 bits of entropy per character.</summary>
    internal static bool LooksRandom(string value)
    {
        if (value.Length < 20 || value.StartsWith("«redacted", StringComparison.Ordinal))
        {
            return false;
        }

        var classes = (value.Any(char.IsUpper) ? 1 : 0) + (value.Any(char.IsLower) ? 1 : 0) + (value.Any(char.IsDigit) ? 1 : 0) + (value.Any(c => !char.IsLetterOrDigit(c)) ? 1 : 0);
        if (classes < 3)
        {
            return false;
        }

        var entropy = value.GroupBy(c => c).Select(g => (double)g.Count() / value.Length).Sum(p => -p * Math.Log2(p));
        return entropy >= 3.5;
    }

    // A whole block, or a block whose end lies beyond the text (a prefix cut at the caret).
    [GeneratedRegex(@"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\z)")]
    private static partial Regex PrivateKeyBlock();

    // The end of a block whose beginning lies before the text (a suffix, or a prefix window cut inside the key).
    [GeneratedRegex(@"\A(?:(?!-----BEGIN)[\s\S])*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")]
    private static partial Regex PrivateKeyTail();

    [GeneratedRegex(@"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}\b")]
    private static partial Regex AwsAccessKey();

    [GeneratedRegex(@"\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})\b")]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"\bxox[abposr]-[A-Za-z0-9-]{10,}")]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b")]
    private static partial Regex StripeKey();

    [GeneratedRegex(@"\bAIza[0-9A-Za-z_-]{35}")]
    private static partial Regex GoogleApiKey();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")]
    private static partial Regex Jwt();

    // password = "…", "api_key": '…', GITHUB_TOKEN=… — the key ends in a secret word; a quoted value of any
    // length, or an unquoted one of 4+ characters with a digit or symbol (so password = input() stays).
    // The match starts at the secret word, not at the start of the key (the rest of the key name is never replaced):
    // trying every identifier character cost ~0.5 ms per 4 KB. Only the words are case-insensitive, so the source
    // generator accepts the pattern (it refuses a case-insensitive backreference and fell back to the interpreter);
    // \u212A (Kelvin sign) keeps the look-ahead's class what (?i) made it.
    [GeneratedRegex(@"(?i:password|passwd|pwd|passphrase|secret|secret[_-]?key|api[_-]?key|apikey|access[_-]?key|auth[_-]?token|access[_-]?token|private[_-]?key|client[_-]?secret|token)[""']?\s*(?::=|=>|[:=])\s*(?:(?<q>[""'`])(?<v>[^""'`\r\n]+)\k<q>|(?<v>(?=[A-Za-z_\u212A]*[0-9!@#$%^&*+/=~-])[^\s""'`,;()\[\]{}.]{4,})(?![(.\w]))")]
    private static partial Regex PasswordAssignment();

    // name = value where value is 20+ characters of a key alphabet (checked by LooksRandom); not an absolute path.
    // The only pattern whose backtracking is quadratic: a run of name characters with no operator after it is tried
    // from each of its letters (a 4 KB minified line took ~0.3 s under load, past the old 200 ms timeout, and the whole
    // text was blanked). The non-backtracking engine finds the same matches in one pass; the source generator does not
    // emit it, so it is built on first use (~2 ms).
    private static readonly Lazy<Regex> s_highEntropyAssignment = new(() => new Regex(
        @"[A-Za-z_][A-Za-z0-9_.-]*[""']?\s*(?::=|=>|[:=])\s*[""'`]?(?<v>[A-Za-z0-9+_=~-][A-Za-z0-9+/_=~-]{19,})",
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant));

    private static Regex HighEntropyAssignment() => s_highEntropyAssignment.Value;
}
