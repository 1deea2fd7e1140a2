using Npgsql;
using static Code4me.Lsp.Storage.Postgres.SqlCommands;

namespace Code4me.Lsp.Storage.Postgres.Users;

/// <summary>
/// The user aggregate: accounts with Argon2id password hashes and auth tokens. Plain passwords are
/// validated, hashed and dropped here; they are never stored, logged or put in an exception message.
/// Needs a role that may read and write "user" (the owner), not code4me_writer.
/// </summary>
internal sealed class UserRepository(NpgsqlDataSource dataSource)
{
    /// <summary>On a command's database (<see cref="StorageDatabase"/>).</summary>
    public UserRepository(StorageDatabase database)
        : this(database.DataSource)
    {
    }

    private const string InsertUserSql = """
        INSERT INTO "user" (user_id, email, name, password, auth_token)
        VALUES (@UserId, @Email, @Name, @PasswordHash, @AuthToken)
        """;

    private const string InsertAuditSql = """
        INSERT INTO audit_log (user_id, event_type, action, detail)
        VALUES (@UserId, 'credential', @Action, '{}')
        """;

    private const string SelectCredentialsSql = """
        SELECT user_id AS UserId, password AS PasswordHash
        FROM "user"
        WHERE lower(email) = lower(@Email)
        """;

    private const string SelectByAuthTokenSql = """
        SELECT user_id FROM "user" WHERE auth_token = @AuthToken
        """;

    /// <summary>A hash to verify against when the e-mail is unknown, so both cases take as long.</summary>
    private static readonly Lazy<string> s_dummyHash = new(() => PasswordHasher.Hash("Dummy-password-1"));

    /// <summary>Creates an account; <see cref="ArgumentException"/> for a broken rule or an e-mail already in use.</summary>
    public async Task<CreatedUser> CreateAsync(string email, string name, string password, CancellationToken cancellationToken)
    {
        UserRules.Validate(email, name, password);
        var user = new CreatedUser(Guid.CreateVersion7(), Guid.NewGuid());
        var passwordHash = PasswordHasher.Hash(password);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(InsertUserSql, transaction, cancellationToken,
                Param("UserId", user.UserId), Param("Email", email), Param("Name", name), Param("PasswordHash", passwordHash), Param("AuthToken", user.AuthToken));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "user_email_key")
        {
            throw new ArgumentException($"A user with the e-mail address '{email}' already exists.", nameof(email), e);
        }

        await connection.ExecuteAsync(InsertAuditSql, transaction, cancellationToken, Param("UserId", user.UserId), Param("Action", "user_created"));
        await transaction.CommitAsync(cancellationToken);
        return user;
    }

    /// <summary>The user whose e-mail and password match, or null.</summary>
    public async Task<Guid?> VerifyPasswordAsync(string email, string password, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync(
            SelectCredentialsSql, r => new Credentials(r.GetGuid(0), r.GetString(1)), null, cancellationToken, Param("Email", email));
        var matches = PasswordHasher.Verify(password, row?.PasswordHash ?? s_dummyHash.Value);
        return row is not null && matches ? row.UserId : null;
    }

    /// <summary>The user an auth token belongs to, or null.</summary>
    public async Task<Guid?> FindByAuthTokenAsync(Guid authToken, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ScalarAsync<Guid?>(SelectByAuthTokenSql, null, cancellationToken, Param("AuthToken", authToken));
    }

    private sealed record Credentials(Guid UserId, string PasswordHash);
}
