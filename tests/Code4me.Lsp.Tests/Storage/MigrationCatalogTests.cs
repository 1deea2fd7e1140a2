using Code4me.Lsp.Storage.Postgres.Migrations;

namespace Code4me.Lsp.Tests.Storage;

public sealed class MigrationCatalogTests
{
    [Fact]
    public void Embedded_SchemaFiles_AreVersionedWithoutGapsEachWithUpAndDown()
    {
        var catalog = MigrationCatalog.Embedded;

        Assert.Equal(["0001_code4me_v2", "0002_usage_preferences_consent_audit", "0003_roles", "0004_completion_feedback", "0005_identity_and_data_rights", "0006_chat_settings", "0007_multi_file_context", "0008_deferrable_telemetry_keys", "0009_writer_identity", "0010_analysis_views", "0011_time_partitions", "0012_analysis_in_one_pass", "0013_studies", "0014_month_aligned_keys", "0015_kept_facts", "0016_context_keys_by_month", "0017_writer_cost", "0018_deleted_installations"], catalog.Migrations.Select(m => m.FullName));
        Assert.All(catalog.Migrations, m =>
        {
            Assert.False(string.IsNullOrWhiteSpace(m.UpSql));
            Assert.False(string.IsNullOrWhiteSpace(m.DownSql));
            Assert.Equal(MigrationCatalog.ComputeChecksum(m.UpSql), m.Checksum);
        });
    }

    [Fact]
    public void Constructor_GapInVersions_Throws()
    {
        var migrations = new[] { Make(1), Make(3) };

        var error = Assert.Throws<InvalidOperationException>(() => new MigrationCatalog(migrations));

        Assert.Contains("without gaps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ComputeChecksum_Script_IsLowerHexSha256()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", MigrationCatalog.ComputeChecksum("abc"));
    }

    private static Migration Make(int version) => new(version, "m", "SELECT 1;", "SELECT 1;", MigrationCatalog.ComputeChecksum("SELECT 1;"));
}
