using Npgsql;
using static Code4me.Lsp.Storage.Postgres.SqlCommands;

namespace Code4me.Lsp.Storage.Postgres.Users;

/// <summary>
/// What a configured auth token stands for, as the insert-only writer role may ask it (0003's
/// <c>user_id_for_auth_token</c>, 0005's <c>auth_token_deleted</c>): its user, or none; and whether its account was
/// deleted with all its data, in which case nothing more may be written for it.
/// </summary>
internal readonly record struct AuthTokenAccount(Guid? UserId, bool Deleted)
{
    private const string Sql = "SELECT user_id_for_auth_token(@Token), auth_token_deleted(@Token)";

    /// <summary>No user, not deleted (the token belongs to no account in this database).</summary>
    public bool IsUnknown => UserId is null && !Deleted;

    public static Task<AuthTokenAccount> ResolveAsync(NpgsqlConnection connection, Guid token, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync(
            Sql, r => new AuthTokenAccount(r.IsDBNull(0) ? null : r.GetGuid(0), r.GetBoolean(1)), null, cancellationToken, Param("Token", token));
}
