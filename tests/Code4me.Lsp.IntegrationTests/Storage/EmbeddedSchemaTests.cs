using Code4me.Lsp.Storage.Postgres.Migrations;

namespace Code4me.Lsp.IntegrationTests.Storage;

/// <summary>The migrations inside the Storage assembly are exactly the files in schema/.</summary>
public sealed class EmbeddedSchemaTests
{
    [Fact]
    public void Embedded_SchemaFiles_MatchTheFilesInTheRepository()
    {
        var schema = Path.Combine(RepositoryRoot(), "schema");

        foreach (var migration in MigrationCatalog.Embedded.Migrations)
        {
            Assert.Equal(File.ReadAllText(Path.Combine(schema, migration.FullName + ".up.sql")), migration.UpSql);
            Assert.Equal(File.ReadAllText(Path.Combine(schema, migration.FullName + ".down.sql")), migration.DownSql);
        }

        Assert.Equal(MigrationCatalog.Embedded.Migrations.Count * 2, Directory.GetFiles(schema, "*.sql").Length);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Code4me.Lsp.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Code4me.Lsp.sln not found above the test directory.");
    }
}
