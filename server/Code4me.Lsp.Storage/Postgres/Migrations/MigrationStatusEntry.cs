namespace Code4me.Lsp.Storage.Postgres.Migrations;

/// <summary>One line of <see cref="MigrationStatus"/>.</summary>
internal sealed record MigrationStatusEntry(int Version, string Name, MigrationState State, DateTimeOffset? AppliedAt);
