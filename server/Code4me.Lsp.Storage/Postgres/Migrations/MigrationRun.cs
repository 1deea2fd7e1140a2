namespace Code4me.Lsp.Storage.Postgres.Migrations;

/// <summary>
/// What one <c>migrate up</c> or <c>migrate down</c> did: the versions before and after, the
/// migrations applied or reverted in order, and the NOTICEs PostgreSQL raised while running them.
/// </summary>
internal sealed record MigrationRun(int FromVersion, int ToVersion, IReadOnlyList<Migration> Migrations, IReadOnlyList<string> Notices);
