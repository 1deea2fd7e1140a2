using Code4me.Lsp.Storage.Postgres;
using Npgsql;

namespace Code4me.Lsp.Tests.Storage;

public sealed class DatabaseUrlTests
{
    [Theory]
    [InlineData("postgres://alice:s3cret@db.example.org:6543/research?sslmode=require",
        "db.example.org", 6543, "research", "alice", "s3cret", SslMode.Require)]
    [InlineData("postgresql://bob@localhost/code4me", "localhost", 5432, "code4me", "bob", null, SslMode.Prefer)]
    [InlineData("postgres://u:p%40ss%3Aw%2Frd@h/d%20b", "h", 5432, "d b", "u", "p@ss:w/rd", SslMode.Prefer)]
    [InlineData("postgres://u@[::1]:5433/db?sslmode=verify-full", "::1", 5433, "db", "u", null, SslMode.VerifyFull)]
    [InlineData("postgres:///db?host=/run/postgresql&user=postgres", "/run/postgresql", 5432, "db", "postgres", null, SslMode.Prefer)]
    [InlineData("POSTGRES://u@h:1/db?sslmode=disable", "h", 1, "db", "u", null, SslMode.Disable)]
    public void ToConnectionString_Url_MapsEveryPart(
        string url, string host, int port, string database, string username, string? password, SslMode sslMode)
    {
        var builder = new NpgsqlConnectionStringBuilder(DatabaseUrl.ToConnectionString(url));

        Assert.Equal((host, port, database, username, password, sslMode),
            (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password, builder.SslMode));
    }

    [Fact]
    public void ToConnectionString_UrlWithQueryOptions_MapsThem()
    {
        var builder = new NpgsqlConnectionStringBuilder(DatabaseUrl.ToConnectionString(
            "postgres://u@h/db?application_name=tests&connect_timeout=7&target_session_attrs=primary"));

        Assert.Equal(("tests", 7, "primary"), (builder.ApplicationName, builder.Timeout, builder.TargetSessionAttributes));
    }

    [Fact]
    public void ToConnectionString_UrlWithSeveralHosts_KeepsEachPort()
    {
        var builder = new NpgsqlConnectionStringBuilder(DatabaseUrl.ToConnectionString("postgres://u@a:5433,b/db"));

        Assert.Equal("a:5433,b", builder.Host);
    }

    [Fact]
    public void ToConnectionString_NpgsqlConnectionString_IsKept()
    {
        var builder = new NpgsqlConnectionStringBuilder(DatabaseUrl.ToConnectionString(" Host=h;Port=7;Username=u;Password=p;Database=d "));

        Assert.Equal(("h", 7, "u", "p", "d"), (builder.Host, builder.Port, builder.Username, builder.Password, builder.Database));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("mysql://u@h/db", "must start with postgres://")]
    [InlineData("postgres://u:topsecret@h/db?sslmode=maybe", "sslmode 'maybe'")]
    [InlineData("postgres://u:topsecret@h/db?colour=blue", "Unknown parameter 'colour'")]
    [InlineData("postgres://u:topsecret@h:99999/db", "not a TCP port")]
    [InlineData("postgres://u:topsecret@h:abc/db", "not a number")]
    [InlineData("postgres://u:topsecret@[::1/db", "closing ']'")]
    [InlineData("postgres://u:topsecret@/db", "names no host")]
    [InlineData("Hots=h;Password=topsecret", "neither a postgres:// URL nor a valid Npgsql connection string")]
    public void ToConnectionString_Invalid_ThrowsAMessageWithoutThePassword(string setting, string expected)
    {
        var error = Assert.Throws<FormatException>(() => DatabaseUrl.ToConnectionString(setting));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", error.Message, StringComparison.Ordinal);
    }
}
