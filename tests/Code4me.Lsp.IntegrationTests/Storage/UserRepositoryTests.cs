using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage.Postgres.Users;

namespace Code4me.Lsp.IntegrationTests.Storage;

public sealed class UserRepositoryTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    private const string Password = "Correct-Horse-9";

    [Fact]
    public async Task Create_ValidUser_StoresAnArgon2idHashNeverThePassword()
    {
        var users = new UserRepository(fixture.Database.DataSource);

        var created = await users.CreateAsync("Ada@Example.org", "Ada", Password, TimeoutToken.Create());

        var stored = await fixture.Database.ScalarAsync<string>("SELECT password FROM \"user\" WHERE user_id = @Id", new { Id = created.UserId });
        var anywhere = await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM \"user\" u WHERE u::text LIKE '%' || @Password || '%'", new { Password });
        var audit = await fixture.Database.ScalarAsync<string>(
            "SELECT event_type || '/' || action FROM audit_log WHERE user_id = @Id", new { Id = created.UserId });
        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", stored, StringComparison.Ordinal);
        Assert.True(PasswordHasher.Verify(Password, stored));
        Assert.Equal(0, anywhere);
        Assert.Equal("credential/user_created", audit);
        Assert.Equal(created.UserId, await users.FindByAuthTokenAsync(created.AuthToken, TimeoutToken.Create()));
    }

    [Fact]
    public async Task VerifyPassword_RightAndWrongPasswords_MatchOnlyTheRightOne()
    {
        var users = new UserRepository(fixture.Database.DataSource);
        var created = await users.CreateAsync("grace@example.org", "Grace", Password, TimeoutToken.Create());

        var right = await users.VerifyPasswordAsync("GRACE@example.org", Password, TimeoutToken.Create());
        var wrong = await users.VerifyPasswordAsync("grace@example.org", "Wrong-Horse-9", TimeoutToken.Create());
        var unknown = await users.VerifyPasswordAsync("nobody@example.org", Password, TimeoutToken.Create());

        Assert.Equal(created.UserId, right);
        Assert.Null(wrong);
        Assert.Null(unknown);
    }

    [Fact]
    public async Task Create_EmailInUseInAnotherCase_IsRefusedClearly()
    {
        var users = new UserRepository(fixture.Database.DataSource);
        await users.CreateAsync("linus@example.org", "Linus", Password, TimeoutToken.Create());

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => users.CreateAsync("LINUS@example.org", "Linus 2", Password, TimeoutToken.Create()));

        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-an-email", "Name", Password, "e-mail")]
    [InlineData("ok@example.org", " ", Password, "name")]
    [InlineData("ok@example.org", "Name", "alllowercase1", "password")]
    public async Task Create_BrokenRule_IsRefusedWithoutWritingOrEchoingThePassword(string email, string name, string password, string mentions)
    {
        var users = new UserRepository(fixture.Database.DataSource);
        var before = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM \"user\"");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => users.CreateAsync(email, name, password, TimeoutToken.Create()));

        Assert.Contains(mentions, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(password, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM \"user\""));
    }
}
