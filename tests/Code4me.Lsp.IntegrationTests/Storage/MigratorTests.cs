using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage.Postgres.Migrations;
using Dapper;

namespace Code4me.Lsp.IntegrationTests.Storage;

public sealed class MigratorTests
{
    private static readonly MigrationCatalog s_catalog = MigrationCatalog.Embedded;

    [Fact]
    public async Task Up_EmptyDatabase_AppliesEveryMigrationWithItsChecksum()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();

        var run = await new Migrator(db.DataSource, s_catalog).UpAsync(TimeoutToken.Create());

        Assert.Equal(0, run.FromVersion);
        Assert.Equal(s_catalog.LatestVersion, run.ToVersion);
        await using var connection = await db.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        var rows = (await connection.QueryAsync<(int Version, string Name, string Checksum)>(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version")).ToList();
        Assert.Equal(s_catalog.Migrations.Select(m => (m.Version, m.FullName, m.Checksum)), rows);
    }

    [Fact]
    public async Task UpDownZeroUp_RoundTrip_RemovesEverythingThenRebuildsTheSameSchema()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();
        var migrator = new Migrator(db.DataSource, s_catalog);

        await migrator.UpAsync(TimeoutToken.Create());
        var first = await SchemaSnapshot.TakeAsync(db.DataSource);
        var down = await migrator.DownAsync(0, TimeoutToken.Create());
        var empty = await SchemaSnapshot.TakeAsync(db.DataSource);
        await migrator.UpAsync(TimeoutToken.Create());
        var second = await SchemaSnapshot.TakeAsync(db.DataSource);

        Assert.Equal(0, down.ToVersion);
        Assert.Equal(s_catalog.Migrations.Reverse().Select(m => m.Version), down.Migrations.Select(m => m.Version));
        Assert.DoesNotContain(empty, line => line.StartsWith("table ", StringComparison.Ordinal));   // schema_migrations too
        Assert.DoesNotContain(empty, line => line.StartsWith("function ", StringComparison.Ordinal));
        Assert.Equal(first, second);
    }

    public static TheoryData<int> Versions() => [.. MigrationCatalog.Embedded.Migrations.Select(m => m.Version)];

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Down_EachMigration_RestoresTheSchemaBeforeIt(int version)
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();
        var before = new Migrator(db.DataSource, new MigrationCatalog(s_catalog.Migrations.Take(version - 1)));
        var upTo = new Migrator(db.DataSource, new MigrationCatalog(s_catalog.Migrations.Take(version)));

        if (version > 1)
        {
            await before.UpAsync(TimeoutToken.Create());   // before the first migration: an empty database (down 0 removes schema_migrations too)
        }

        var expected = await SchemaSnapshot.TakeAsync(db.DataSource);
        await upTo.UpAsync(TimeoutToken.Create());
        var applied = await SchemaSnapshot.TakeAsync(db.DataSource);
        var run = await upTo.DownAsync(version - 1, TimeoutToken.Create());
        var actual = await SchemaSnapshot.TakeAsync(db.DataSource);

        Assert.NotEqual(expected, applied);
        Assert.Equal([version], run.Migrations.Select(m => m.Version));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Up_AppliedMigrationEdited_IsRefusedWithClearMessage()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();
        await new Migrator(db.DataSource, s_catalog).UpAsync(TimeoutToken.Create());
        var edited = new MigrationCatalog(s_catalog.Migrations.Select(m =>
            m.Version == 2 ? m with { UpSql = m.UpSql + "\n-- edited", Checksum = MigrationCatalog.ComputeChecksum(m.UpSql + "\n-- edited") } : m));
        var migrator = new Migrator(db.DataSource, edited);

        var up = await Assert.ThrowsAsync<MigrationException>(() => migrator.UpAsync(TimeoutToken.Create()));
        var down = await Assert.ThrowsAsync<MigrationException>(() => migrator.DownAsync(0, TimeoutToken.Create()));
        var status = await migrator.StatusAsync(TimeoutToken.Create());

        Assert.Contains("0002_usage_preferences_consent_audit", up.Message, StringComparison.Ordinal);
        Assert.Contains("must never be edited", up.Message, StringComparison.Ordinal);
        Assert.Equal(up.Message, down.Message);
        Assert.Equal(MigrationState.Changed, status.Entries.Single(e => e.Version == 2).State);
        Assert.False(status.IsConsistent);
        Assert.Equal(s_catalog.Migrations.Count, await db.ScalarAsync<int>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Up_DatabaseNewerThanExecutable_IsRefusedWithClearMessage()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();
        var migrator = new Migrator(db.DataSource, s_catalog);
        await migrator.UpAsync(TimeoutToken.Create());
        await db.ExecuteAsync("INSERT INTO schema_migrations (version, name, checksum) VALUES (99, '0099_future', 'abc')");

        var error = await Assert.ThrowsAsync<MigrationException>(() => migrator.UpAsync(TimeoutToken.Create()));
        var status = await migrator.StatusAsync(TimeoutToken.Create());

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains($"only knows versions up to {s_catalog.LatestVersion}", error.Message, StringComparison.Ordinal);
        Assert.Equal(MigrationState.Unknown, status.Entries.Single(e => e.Version == 99).State);
        Assert.Equal(99, status.CurrentVersion);
    }

    [Fact]
    public async Task Up_FailingMigration_RollsItBackCompletely()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();
        const string Up = "CREATE TABLE half_done (id int);\nINSERT INTO half_done VALUES (1);\nSELECT 1 / 0;";
        var broken = new Migration(s_catalog.LatestVersion + 1, "broken", Up, "DROP TABLE half_done;", MigrationCatalog.ComputeChecksum(Up));
        var migrator = new Migrator(db.DataSource, new MigrationCatalog([.. s_catalog.Migrations, broken]));

        var error = await Assert.ThrowsAsync<MigrationException>(() => migrator.UpAsync(TimeoutToken.Create()));

        Assert.Contains($"{broken.FullName} (up) failed and was rolled back", error.Message, StringComparison.Ordinal);
        Assert.Contains("division by zero", error.Message, StringComparison.Ordinal);
        Assert.False(await db.ScalarAsync<bool>("SELECT to_regclass('half_done') IS NOT NULL"));
        Assert.Equal(s_catalog.LatestVersion, await db.ScalarAsync<int>("SELECT max(version) FROM schema_migrations"));
    }

    [Fact]
    public async Task Up_TwoRunsAtOnce_ApplyEachMigrationExactlyOnce()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();

        var runs = await Task.WhenAll(
            Task.Run(() => new Migrator(db.DataSource, s_catalog).UpAsync(TimeoutToken.Create())),
            Task.Run(() => new Migrator(db.DataSource, s_catalog).UpAsync(TimeoutToken.Create())));

        Assert.Equal(s_catalog.Migrations.Count, runs.Sum(r => r.Migrations.Count));
        Assert.All(runs, r => Assert.Equal(s_catalog.LatestVersion, r.ToVersion));
        Assert.Equal(s_catalog.Migrations.Count, await db.ScalarAsync<int>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Up_AnotherSessionHoldsTheLock_WaitsUntilItIsReleased()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();
        await using var holder = await db.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        await holder.ExecuteAsync("SELECT pg_advisory_lock(@Key)", new { Key = Migrator.LockKey });

        var up = new Migrator(db.DataSource, s_catalog).UpAsync(TimeoutToken.Create());
        await WaitForLockWaiterAsync(db);
        var tableWhileWaiting = await db.ScalarAsync<bool>("SELECT to_regclass('schema_migrations') IS NOT NULL");
        await holder.ExecuteAsync("SELECT pg_advisory_unlock(@Key)", new { Key = Migrator.LockKey });
        var run = await up;

        Assert.False(tableWhileWaiting);
        Assert.Equal(s_catalog.Migrations.Count, run.Migrations.Count);
    }

    [Fact]
    public async Task Down_AboveTheLatestKnownVersion_IsRefused()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();

        var error = await Assert.ThrowsAsync<MigrationException>(
            () => new Migrator(db.DataSource, s_catalog).DownAsync(s_catalog.LatestVersion + 1, TimeoutToken.Create()));

        Assert.Contains("choose a version from 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownZero_RolesStillUsedByAnotherDatabase_AreKeptWithANotice()
    {
        // The shared template database (and every copy of it) uses the roles, so they must survive.
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();
        var migrator = new Migrator(db.DataSource, s_catalog);
        await migrator.UpAsync(TimeoutToken.Create());

        var run = await migrator.DownAsync(0, TimeoutToken.Create());

        Assert.Contains(run.Notices, n => n.Contains("code4me_writer", StringComparison.Ordinal) && n.Contains("keeping it", StringComparison.Ordinal));
        Assert.Equal(2, await db.ScalarAsync<int>("SELECT count(*) FROM pg_roles WHERE rolname IN ('code4me_writer', 'code4me_analyst')"));
    }

    private static async Task WaitForLockWaiterAsync(TestDatabase db)
    {
        const string Sql = """
            SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()
            """;
        var token = TimeoutToken.Create();
        while (await db.ScalarAsync<long>(Sql) == 0)
        {
            await Task.Delay(20, token);
        }
    }
}
