using System.Text;
using Code4me.Lsp.Core.Privacy;

namespace Code4me.Lsp.Tests.Privacy;

/// <summary>
/// The redactor's fast patterns (pre-filter, matches anchored at the secret word or the operator) against the plain
/// ones in <see cref="ReferenceSecretRedactor"/>, on generated text that mixes code, secret-looking assignments and
/// real secret formats: the output must be the same, character for character.
/// </summary>
public sealed class SecretRedactorEquivalenceTests
{
    private static readonly string[] s_keys =
    [
        "password", "PASSWORD", "user_password", "db.password", "my_token_password", "passwd", "pwd", "Passphrase", "secret",
        "secret_key", "secret-key", "SECRETKEY", "api_key", "api-key", "apikey", "ApiKey", "access_key", "auth_token",
        "access-token", "private_key", "client_secret", "token", "Token", "GITHUB_TOKEN", "max_tokens", "tokens", "x",
        "name", "_", "a.b-c", "SESSION_SIGNING", "value", "9lives", "key", "\"api_key\"", "'token'", "tokenizer",
    ];

    private static readonly string[] s_operators = ["=", " = ", ": ", ":", ":=", " := ", "=>", " => ", "==", " == ", "=\t", " "];

    private static readonly string[] s_values =
    [
        "\"hunter2\"", "'S3cr3t!pass'", "`tmpl`", "\"\"", "input()", "input(\"Password: \")", "self.token", "form.password",
        "correct-horse-9", "x9$Lm", "abc1", "abc", "1024", "None", "/usr/local/lib/python3.11/site-packages",
        "com.example.project.module.SomeClass", "some_long_function_name_here(argument)", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AKIAIOSFODNN7EXAMPLE", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "xoxb-2048331520-4096663040-Xk7q2Lw9RzT5bN8vC3mJ1hYd",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "\"Zq8Xv2Lr7Tn4Wb9Mk3Pd6Hs1Jf5Gc0Ya\"", "token=abc1token=xyz9", "a=b=c", "'unterminated", "\"multi\nline\"",
    ];

    private static readonly string[] s_code =
    [
        "def f(items, limit=10):\n", "    total = sum(item.value * 3 for item in items[:limit])\n", "x = np.loadtxt(path, delimiter=',')\n",
        "if token is None:\n    token = self.token\n", "return [item.name for item in items if item.enabled]\n",
        "-----BEGIN RSA PRIVATE KEY-----\n", "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi6l7m2dNz3qI5Ss7XyQkC1H0Nq\n", "-----END RSA PRIVATE KEY-----\n",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n", "-----END PRIVATE KEY BLOCK-----", "PRIVATE KEY", "HighEntropyAssignmentNameIsLong = 1\n",
        "{", "}", "(", ")", ", ", "; ", "\n", " ", "\r\n", "\"", "'", ".", "«redacted:x»",
    ];

    [Fact]
    public void Redact_GeneratedText_SameAsThePlainPatterns()
    {
        var random = new Random(20240611);
        for (var sample = 0; sample < 2000; sample++)
        {
            var text = Generate(random);
            Assert.True(
                ReferenceSecretRedactor.Redact(text) == SecretRedactor.Redact(text),
                $"sample {sample} differs:\n{text}\n--- reference:\n{ReferenceSecretRedactor.Redact(text)}\n--- fast:\n{SecretRedactor.Redact(text)}");
        }
    }

    private static string Generate(Random random)
    {
        var builder = new StringBuilder();
        var parts = random.Next(1, 30);
        for (var i = 0; i < parts; i++)
        {
            switch (random.Next(4))
            {
                case 0:
                    builder.Append(Pick(random, s_code));
                    break;
                case 1:
                    builder.Append(Pick(random, s_keys)).Append(Pick(random, s_operators)).Append(Pick(random, s_values));
                    break;
                case 2:
                    builder.Append(Pick(random, s_keys)).Append(Pick(random, s_operators)).Append(RandomValue(random));
                    break;
                default:
                    builder.Append(Pick(random, s_values)).Append(Pick(random, s_code));
                    break;
            }
        }

        return builder.ToString();
    }

    // Runs of a key alphabet, sometimes quoted, of lengths around the 20-character threshold.
    private static string RandomValue(Random random)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_=~-.$!";
        var length = random.Next(15, 45);
        var value = new StringBuilder(length + 2);
        var quote = random.Next(3) switch { 0 => "\"", 1 => "'", _ => "" };
        value.Append(quote);
        for (var i = 0; i < length; i++)
        {
            value.Append(Alphabet[random.Next(random.Next(2) == 0 ? 26 : Alphabet.Length)]);
        }

        return value.Append(quote).ToString();
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];
}
