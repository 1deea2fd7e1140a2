using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage.Postgres.Migrations;

namespace Code4me.Lsp.IntegrationTests.Storage;

/// <summary>The migrations inside the Storage assembly are exactly the files in schema/.</summary>
public sealed class EmbeddedSchemaTests
{
    [Fact]
    public void Embedded_SchemaFiles_MatchTheFilesInTheRepository()
    {
        var schema = Path.Combine(Repository.Root, "schema");

        foreach (var migration in MigrationCatalog.Embedded.Migrations)
        {
            Assert.Equal(File.ReadAllText(Path.Combine(schema, migration.FullName + ".up.sql")), migration.UpSql);
            Assert.Equal(File.ReadAllText(Path.Combine(schema, migration.FullName + ".down.sql")), migration.DownSql);
        }

        Assert.Equal(MigrationCatalog.Embedded.Migrations.Count * 2, Directory.GetFiles(schema, "*.sql").Length);
    }
}
