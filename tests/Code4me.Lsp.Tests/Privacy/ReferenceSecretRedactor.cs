using System.Text.RegularExpressions;
using Code4me.Lsp.Core.Privacy;

namespace Code4me.Lsp.Tests.Privacy;

/// <summary>
/// The redactor's patterns in their plain form (each assignment pattern anchored at the start of the key name,
/// no pre-filter): the specification the faster <see cref="SecretRedactor"/> must match output for output.
/// </summary>
internal static partial class ReferenceSecretRedactor
{
    public static string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        try
        {
            var result = PrivateKeyBlock().Replace(text, "«redacted:private-key»");
            result = PrivateKeyTail().Replace(result, "«redacted:private-key»");
            result = AwsAccessKey().Replace(result, "«redacted:aws-access-key»");
            result = GitHubToken().Replace(result, "«redacted:github-token»");
            result = SlackToken().Replace(result, "«redacted:slack-token»");
            result = StripeKey().Replace(result, "«redacted:stripe-key»");
            result = GoogleApiKey().Replace(result, "«redacted:google-api-key»");
            result = Jwt().Replace(result, "«redacted:jwt»");
            result = PasswordAssignment().Replace(result, m => ReplaceValue(m, "password"));
            result = HighEntropyAssignment().Replace(result, m => SecretRedactor.LooksRandom(m.Groups["v"].Value) ? ReplaceValue(m, "high-entropy") : m.Value);
            return result;
        }
        catch (RegexMatchTimeoutException)
        {
            return "«redacted:unscannable»";
        }
    }

    private static string ReplaceValue(Match match, string kind)
    {
        var value = match.Groups["v"];
        return string.Concat(match.Value.AsSpan(0, value.Index - match.Index), $"«redacted:{kind}»", match.Value.AsSpan(value.Index - match.Index + value.Length));
    }

    [GeneratedRegex(@"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\z)", RegexOptions.None, 1000)]
    private static partial Regex PrivateKeyBlock();

    [GeneratedRegex(@"\A(?:(?!-----BEGIN)[\s\S])*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----", RegexOptions.None, 1000)]
    private static partial Regex PrivateKeyTail();

    [GeneratedRegex(@"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}\b", RegexOptions.None, 1000)]
    private static partial Regex AwsAccessKey();

    [GeneratedRegex(@"\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})\b", RegexOptions.None, 1000)]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"\bxox[abposr]-[A-Za-z0-9-]{10,}", RegexOptions.None, 1000)]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b", RegexOptions.None, 1000)]
    private static partial Regex StripeKey();

    [GeneratedRegex(@"\bAIza[0-9A-Za-z_-]{35}", RegexOptions.None, 1000)]
    private static partial Regex GoogleApiKey();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", RegexOptions.None, 1000)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"(?i)(?<![A-Za-z0-9])[A-Za-z0-9_.-]*?(?:password|passwd|pwd|passphrase|secret|secret[_-]?key|api[_-]?key|apikey|access[_-]?key|auth[_-]?token|access[_-]?token|private[_-]?key|client[_-]?secret|token)[""']?\s*(?::=|=>|[:=])\s*(?:(?<q>[""'`])(?<v>[^""'`\r\n]+)\k<q>|(?<v>(?=[A-Za-z_]*[0-9!@#$%^&*+/=~-])[^\s""'`,;()\[\]{}.]{4,})(?![(.\w]))", RegexOptions.None, 1000)]
    private static partial Regex PasswordAssignment();

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_.-]*[""']?\s*(?::=|=>|[:=])\s*[""'`]?(?<v>[A-Za-z0-9+_=~-][A-Za-z0-9+/_=~-]{19,})", RegexOptions.None, 1000)]
    private static partial Regex HighEntropyAssignment();
}
