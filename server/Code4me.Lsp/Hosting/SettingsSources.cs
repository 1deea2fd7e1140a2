using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Configuration;

namespace Code4me.Lsp.Hosting;

/// <summary>
/// Where every command of the executable, the server included, takes its settings from; lowest precedence first:
/// <c>appsettings.json</c> beside the executable, environment variables (<c>Code4me__Section__Key</c>, then
/// <c>CODE4ME_DATABASE_URL</c> as <c>Code4me:Database:ConnectionString</c>), then <c>--config Key=Value</c>.
/// The server adds the editor's settings on top (<see cref="LspConfigurationProvider"/>).
/// </summary>
internal static class SettingsSources
{
    /// <summary>Adds the sources above to <paramref name="builder"/>; a malformed <c>--config</c> item is an <see cref="InvalidSettingException"/>.</summary>
    public static IConfigurationBuilder AddCode4meSources(this IConfigurationBuilder builder, IReadOnlyList<string> configOverrides) => builder
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
        .AddEnvironmentVariables()
        .AddInMemoryCollection(WellKnownEnvironment())
        .AddInMemoryCollection(ParseOverrides(configOverrides));

    /// <summary>The settings a command without a server reads (<c>migrate</c>, <c>data</c>, <c>user</c>, <c>telemetry</c>).</summary>
    public static IConfiguration Build(IReadOnlyList<string> configOverrides) =>
        new ConfigurationBuilder().AddCode4meSources(configOverrides).Build();

    /// <summary>
    /// The database a command uses: its <c>--database</c> option, else <c>Code4me:Database:ConnectionString</c> from
    /// the sources above (so <c>CODE4ME_DATABASE_URL</c>, <c>Code4me__Database__ConnectionString</c> and
    /// <c>--config Code4me:Database:ConnectionString=…</c> all work); null when none is given.
    /// </summary>
    public static string? Database(IConfiguration configuration, string? databaseOption) =>
        !string.IsNullOrWhiteSpace(databaseOption) ? databaseOption : SpoolServiceCollectionExtensions.ConfiguredDatabase(configuration);

    /// <summary>The sentence for a command that needs a database and was given none.</summary>
    public static string NoDatabase =>
        $"No database given: pass --database, set {Code4meStorageOptions.DatabaseEnvironmentVariable}, or --config {SpoolServiceCollectionExtensions.DatabaseKey}=….";

    private static Dictionary<string, string?> WellKnownEnvironment()
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (Environment.GetEnvironmentVariable(Code4meStorageOptions.DatabaseEnvironmentVariable) is { Length: > 0 } database)
        {
            values[SpoolServiceCollectionExtensions.DatabaseKey] = database;
        }

        return values;
    }

    private static Dictionary<string, string?> ParseOverrides(IReadOnlyList<string> overrides)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in overrides)
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new InvalidSettingException($"--config takes Key=Value (e.g. Code4me:Logging:Level=Debug), not '{item}'.");
            }

            values[item[..equals].Trim()] = item[(equals + 1)..];
        }

        return values;
    }
}

/// <summary>A setting given in a form no command can use; its message is the one line the user sees (exit 2).</summary>
internal sealed class InvalidSettingException(string message) : Exception(message);
