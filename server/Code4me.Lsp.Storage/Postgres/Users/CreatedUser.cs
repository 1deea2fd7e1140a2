namespace Code4me.Lsp.Storage.Postgres.Users;

/// <summary>A new account: its id and the auth token to show the person once.</summary>
internal sealed record CreatedUser(Guid UserId, Guid AuthToken);
