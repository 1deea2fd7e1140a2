namespace Code4me.Lsp.Storage;

/// <summary>Settings of the storage layer (<see cref="StorageServiceCollectionExtensions.AddCode4meStorage"/>).</summary>
public sealed class Code4meStorageOptions
{
    /// <summary>The environment variable that holds the database when <c>--database</c> is not given.</summary>
    public const string DatabaseEnvironmentVariable = "CODE4ME_DATABASE_URL";

    /// <summary>An Npgsql connection string or a <c>postgres://user:password@host:port/db?sslmode=…</c> URL; null when none is configured.</summary>
    public string? Database { get; set; }

    /// <summary>
    /// The user's auth token (<c>Code4me:Database:AuthToken</c>): telemetry rows get the user it belongs to,
    /// resolved with <c>user_id_for_auth_token</c>. Null: anonymous (no user on the rows).
    /// </summary>
    public Guid? AuthToken { get; set; }

    /// <summary>Apply pending migrations when the host starts (as the database owner; off by default).</summary>
    public bool MigrateOnStart { get; set; }
}
