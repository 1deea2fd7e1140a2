using Code4me.Lsp.Storage.Postgres.Users;

namespace Code4me.Lsp.Tests.Storage;

public sealed class UserRulesTests
{
    [Theory]
    [InlineData("Abcdefg1", true)]
    [InlineData("Correct-Horse-9", true)]
    [InlineData("aB3!aB3!aB3!", true)]
    [InlineData("Abcdef1", false)]      // 7 characters
    [InlineData("abcdefg1", false)]     // no upper case
    [InlineData("ABCDEFG1", false)]     // no lower case
    [InlineData("Abcdefgh", false)]     // no digit
    [InlineData("Abcd efg1", false)]    // white space
    [InlineData("Abcdefg1\t", false)]
    [InlineData("", false)]
    public void IsValidPassword_SeedRule_Decides(string password, bool valid) =>
        Assert.Equal(valid, UserRules.IsValidPassword(password));

    [Theory]
    [InlineData("ada@example.org", true)]
    [InlineData("first.last+tag@sub.example.co.uk", true)]
    [InlineData("o'brien@example.ie", true)]
    [InlineData("x@a-b.io", true)]
    [InlineData("a@b.c", true)]                   // short, but an address: a one-letter top-level label is allowed
    [InlineData("plain", false)]
    [InlineData("@example.org", false)]
    [InlineData("ada@", false)]
    [InlineData("ada@localhost", false)]          // needs a dot and a TLD
    [InlineData("ada@example.123", false)]
    [InlineData("ada@@example.org", false)]
    [InlineData("a..b@example.org", false)]
    [InlineData(".a@example.org", false)]
    [InlineData("ada @example.org", false)]
    [InlineData(" ada@example.org", false)]
    [InlineData("ada@-example.org", false)]
    [InlineData("Ada <ada@example.org>", false)]
    public void IsValidEmail_Address_Decides(string email, bool valid) =>
        Assert.Equal(valid, UserRules.IsValidEmail(email));

    [Fact]
    public void IsValidEmail_LocalPartLongerThan64_IsRejected() =>
        Assert.False(UserRules.IsValidEmail(new string('a', 65) + "@example.org"));

    [Fact]
    public void Validate_BadPassword_NamesTheRuleButNotThePassword()
    {
        var error = Assert.Throws<ArgumentException>(() => UserRules.Validate("ada@example.org", "Ada", "hunter22"));

        Assert.Contains(UserRules.PasswordRuleText, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter22", error.Message, StringComparison.Ordinal);
    }
}
