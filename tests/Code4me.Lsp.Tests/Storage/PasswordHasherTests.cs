using Code4me.Lsp.Storage.Postgres.Users;

namespace Code4me.Lsp.Tests.Storage;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Hash_Password_IsAnArgon2idPhcStringThatVerifies()
    {
        var hash = PasswordHasher.Hash("Correct-Horse-9");

        Assert.Matches(@"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$", hash);
        Assert.True(PasswordHasher.Verify("Correct-Horse-9", hash));
        Assert.False(PasswordHasher.Verify("Correct-Horse-8", hash));
        Assert.DoesNotContain("Correct-Horse-9", hash, StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_SamePasswordTwice_UsesDifferentSalts() =>
        Assert.NotEqual(PasswordHasher.Hash("Correct-Horse-9"), PasswordHasher.Hash("Correct-Horse-9"));

    [Fact]
    public void Verify_KnownVectorWithOtherParameters_ReadsThemFromTheString()
    {
        // The RFC 9106 style string made by the reference implementation (argon2 CLI):
        // echo -n password | argon2 somesalt -id -t 2 -m 16 -p 1 -l 32 -e
        const string Reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

        Assert.True(PasswordHasher.Verify("password", Reference));
        Assert.False(PasswordHasher.Verify("Password", Reference));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("$argon2i$v=19$m=16,t=2,p=1$c29tZXNhbHQ$aGFzaA")]
    [InlineData("$argon2id$v=16$m=16,t=2,p=1$c29tZXNhbHQ$aGFzaA")]
    [InlineData("$argon2id$v=19$m=16,t=2$c29tZXNhbHQ$aGFzaA")]
    [InlineData("$argon2id$v=19$m=16,t=0,p=1$c29tZXNhbHQ$aGFzaA")]
    [InlineData("$argon2id$v=19$m=16,t=2,p=1$!!!$aGFzaA")]
    [InlineData("$argon2id$v=19$m=16,t=2,p=1$c29tZXNhbHQ$")]
    public void Verify_MalformedHash_IsFalseNotAnException(string encoded) =>
        Assert.False(PasswordHasher.Verify("password", encoded));
}
