using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres.Migrations;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Code4me.Lsp.Tests.Storage;

public sealed class StorageServiceCollectionExtensionsTests
{
    [Fact]
    public void AddCode4meStorage_WithAUrl_ResolvesOneDataSourceAndTheServices()
    {
        using var provider = new ServiceCollection()
            .AddLogging()   // what every host has; the schema check logs
            .AddCode4meStorage(o => o.Database = "postgres://u:p@db.example.org/code4me")
            .BuildServiceProvider();

        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();

        Assert.Same(dataSource, provider.GetRequiredService<NpgsqlDataSource>());
        Assert.Contains("Host=db.example.org", dataSource.ConnectionString, StringComparison.Ordinal);
        Assert.Contains("Application Name=code4me-lsp", dataSource.ConnectionString, StringComparison.Ordinal);
        Assert.NotNull(provider.GetRequiredService<Migrator>());
        Assert.NotNull(provider.GetRequiredService<UserRepository>());
        Assert.NotNull(provider.GetRequiredService<ReferenceData>());
        // Without MigrateOnStart the schema is only checked, once, in the background.
        Assert.IsType<SchemaCheckService>(Assert.Single(provider.GetServices<IHostedService>()));
    }

    [Fact]
    public void AddCode4meStorage_MigrateOnStart_RegistersTheMigrationService()
    {
        var services = new ServiceCollection().AddCode4meStorage(o => { o.Database = "Host=h"; o.MigrateOnStart = true; });

        Assert.Contains(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(MigrateOnStartService));
    }

    [Fact]
    public void AddCode4meStorage_NoDatabase_FailsOnUseWithTheSettingToFix()
    {
        using var provider = new ServiceCollection().AddCode4meStorage(_ => { }).BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<NpgsqlDataSource>());

        Assert.Contains(Code4meStorageOptions.DatabaseEnvironmentVariable, error.Message, StringComparison.Ordinal);
    }
}
