using Code4me.Lsp.Core.Privacy;

namespace Code4me.Lsp.Tests.Privacy;

public sealed class SecretFileMatcherTests
{
    private static readonly SecretFileMatcher s_defaults = SecretFileMatcher.For(SecretOptions.DefaultFilePatterns);

    [Theory]
    [InlineData("file:///w/.env")]
    [InlineData("file:///w/.env.production")]
    [InlineData("/w/config/prod.env")]
    [InlineData("file:///w/certs/server.PEM")]
    [InlineData("file:///w/tls.key")]
    [InlineData("file:///home/a/.ssh/id_rsa")]
    [InlineData("file:///home/a/keys/id_ed25519.pub")]
    [InlineData("file:///w/store.p12")]
    [InlineData("file:///w/credentials.json")]
    [InlineData("file:///home/a/.aws/config")]
    [InlineData("C:\\Users\\a\\proj\\.env")]
    [InlineData("file:///w/dir%20with%20space/.env")]
    public void IsSecret_DefaultPatterns_MatchesSecretFiles(string path)
    {
        Assert.True(s_defaults.IsSecret(path));
    }

    [Theory]
    [InlineData("file:///w/main.py")]
    [InlineData("file:///w/environment.py")]
    [InlineData("file:///w/keyboard.ts")]
    [InlineData("file:///w/docs/env.md")]
    [InlineData("untitled:Untitled-1")]
    [InlineData("")]
    [InlineData(null)]
    public void IsSecret_OrdinaryFiles_DoesNotMatch(string? path)
    {
        Assert.False(s_defaults.IsSecret(path));
    }

    [Fact]
    public void IsSecret_ConfiguredPatterns_ReplaceTheDefaults()
    {
        var matcher = SecretFileMatcher.For(["*.secret.py", "deploy/**/vars.yml"]);

        Assert.True(matcher.IsSecret("file:///w/db.secret.py"));
        Assert.True(matcher.IsSecret("file:///w/deploy/prod/eu/vars.yml"));
        Assert.False(matcher.IsSecret("file:///w/.env"));
        Assert.False(matcher.IsSecret("file:///w/vars.yml"));
    }
}
