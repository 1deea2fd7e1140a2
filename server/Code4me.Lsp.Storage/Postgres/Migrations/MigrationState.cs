namespace Code4me.Lsp.Storage.Postgres.Migrations;

/// <summary>The state of one migration in a database.</summary>
internal enum MigrationState
{
    /// <summary>Known to this executable, not applied yet.</summary>
    Pending,

    /// <summary>Applied, with the checksum this executable has.</summary>
    Applied,

    /// <summary>Applied, but the script in this executable differs from the one that was applied.</summary>
    Changed,

    /// <summary>Applied by a newer executable; this one does not know it.</summary>
    Unknown,
}
