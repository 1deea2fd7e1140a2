using Code4me.Lsp.Core.Privacy;

namespace Code4me.Lsp.Tests.Privacy;

public sealed class SecretRedactorTests
{
    private const string RsaKey = """
        -----BEGIN RSA PRIVATE KEY-----
        MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi6l7m2dNz3qI5Ss7XyQkC1H0Nq
        q0Fh4cPn6YhTsAlpCz8Um4N2vXbTq9wVrwkXhD7gRkaS2Uw5u6zr3jsFJvS1b4QZ
        -----END RSA PRIVATE KEY-----
        """;

    /// <summary>(input, the secret that must be gone, what must remain).</summary>
    public static TheoryData<string, string, string> Secrets() => new()
    {
        { "aws_key = AKIAIOSFODNN7EXAMPLE\n", "AKIAIOSFODNN7EXAMPLE", "aws_key = " },
        { "client = boto3.client('s3', aws_access_key_id='ASIAY34FZKBOKMUTVV7A')", "ASIAY34FZKBOKMUTVV7A", "boto3.client('s3', " },
        { "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SECRET_ACCESS_KEY=" },
        { "gh = Github(\"ghp_16C7e42F292c6912E7710c838347Ae178B4a\")", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "gh = Github(" },
        { "token: github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL", "github_pat_11ABCDEFG0123456789_abcdef", "token" },
        { "SLACK = 'xoxb-2048331520-4096663040-Xk7q2Lw9RzT5bN8vC3mJ1hYd'", "xoxb-2048331520-4096663040", "SLACK = '" },
        { "stripe.api_key = \"sk_live_4eC39HqLyjWDarjtT1zdp7dc\"", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe.api_key = \"" },
        { "GOOGLE = \"AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY\"", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "GOOGLE = \"" },
        { "headers = {'Authorization': 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'}", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "headers = {'Authorization': 'Bearer " },
        { "password = \"hunter2\"\n", "hunter2", "password = \"" },
        { "db = connect(user='app', password='S3cr3t!pass')", "S3cr3t!pass", "db = connect(user='app', password='" },
        { "{\"api_key\": \"abc123def456\"}", "abc123def456", "{\"api_key\": \"" },
        { "DB_PASSWORD=correct-horse-9\n", "correct-horse-9", "DB_PASSWORD=" },
        { "const secret := \"x9$Lm\"", "x9$Lm", "const secret := \"" },
        { RsaKey, "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi6l7m2dNz3qI5Ss7XyQkC1H0Nq", "" },
        { "key = '''\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9u", "key = '''\n" },
        { "q1Fh4cPn6YhTsAlpCz8Um4N2vXbTq9wVrwkXhD7gRkaS2Uw5u6zr3jsFJvS1b4QZ\n-----END RSA PRIVATE KEY-----\nprint(1)", "q1Fh4cPn6YhTsAlpCz8Um4N2vXbTq9wVrwkXhD7gRkaS2Uw5u6zr3jsFJvS1b4QZ", "\nprint(1)" },
        { "SESSION_SIGNING = \"Zq8Xv2Lr7Tn4Wb9Mk3Pd6Hs1Jf5Gc0Ya\"", "Zq8Xv2Lr7Tn4Wb9Mk3Pd6Hs1Jf5Gc0Ya", "SESSION_SIGNING = \"" },
    };

    [Theory]
    [MemberData(nameof(Secrets))]
    public void Redact_RealLookingSecret_RemovesItAndKeepsTheCode(string input, string secret, string kept)
    {
        var redacted = SecretRedactor.Redact(input)!;

        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Contains("«redacted:", redacted, StringComparison.Ordinal);
        Assert.Contains(kept, redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x = np.loadtxt(path, delimiter=',')")]
    [InlineData("password = input(\"Password: \")")]
    [InlineData("if token is None:\n    token = self.token")]
    [InlineData("max_tokens = 1024")]
    [InlineData("user_password = form.password")]
    [InlineData("name = some_long_function_name_here(argument)")]
    [InlineData("path = /usr/local/lib/python3.11/site-packages")]
    [InlineData("classpath = com.example.project.module.SomeClass")]
    [InlineData("")]
    public void Redact_OrdinaryCode_LeavesItUnchanged(string code)
    {
        Assert.Equal(code, SecretRedactor.Redact(code));
    }

    [Fact]
    public async Task Redact_LongNameRunsUnderCpuLoad_KeepsTheTextAndRedactsOnlyTheSecret()
    {
        // A minified line: 64 KB of name characters with no operator, which the backtracking pattern tried from each of
        // its letters (quadratic), then a real secret. Two spinning threads per core make the machine as busy as a build.
        var run = string.Concat(Enumerable.Repeat("a1b2.c_d-", 64 * 1024 / 9));
        var text = $"{run} ;\nconfig.password = \"hunter2-horse\"\n{run}(x)\nkey = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
        using var stop = new CancellationTokenSource();
        var spinners = Enumerable.Range(0, Environment.ProcessorCount * 2).Select(_ => Task.Factory.StartNew(
            () =>
            {
                var x = 0UL;
                while (!stop.IsCancellationRequested)
                {
                    x = (x * 6364136223846793005UL) + 1442695040888963407UL;
                }

                return x;
            },
            TaskCreationOptions.LongRunning)).ToArray();
        string redacted;
        try
        {
            redacted = SecretRedactor.Redact(text)!;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(spinners);
        }

        Assert.Equal(
            $"{run} ;\nconfig.password = \"«redacted:password»\"\n{run}(x)\nkey = «redacted:high-entropy»\n",
            redacted);
    }

    [Fact]
    public void Redact_Null_ReturnsNull()
    {
        Assert.Null(SecretRedactor.Redact(null));
    }
}
