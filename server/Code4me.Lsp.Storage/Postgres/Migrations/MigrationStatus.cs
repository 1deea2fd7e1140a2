namespace Code4me.Lsp.Storage.Postgres.Migrations;

/// <summary>The migration state of a database, as <c>migrate status</c> prints it.</summary>
internal sealed record MigrationStatus(int CurrentVersion, int LatestKnownVersion, IReadOnlyList<MigrationStatusEntry> Entries)
{
    /// <summary>False when a migration was edited after it was applied or the database is newer than this executable.</summary>
    public bool IsConsistent => Entries.All(e => e.State is MigrationState.Applied or MigrationState.Pending);
}
