using System.Collections.Concurrent;
using Npgsql;
using static Code4me.Lsp.Storage.Postgres.SqlCommands;

namespace Code4me.Lsp.Storage.Postgres.Reference;

/// <summary>
/// Ids of the reference tables, cached for the life of the process (the rows never change once made).
/// Languages, models and plugin versions are get-or-create; trigger types are the three the schema
/// seeds. Works as code4me_writer, which may SELECT and INSERT those tables.
/// </summary>
internal sealed class ReferenceData(NpgsqlDataSource dataSource)
{
    private const string GetOrCreateLanguageSql = """
        WITH inserted AS (
            INSERT INTO programming_language (language_name) VALUES (@Name)
            ON CONFLICT (language_name) DO NOTHING
            RETURNING language_id)
        SELECT language_id FROM inserted
        UNION ALL
        SELECT language_id FROM programming_language WHERE language_name = @Name
        LIMIT 1
        """;

    private const string GetOrCreateModelSql = """
        WITH inserted AS (
            INSERT INTO model_name (model_name, is_instruction_tuned) VALUES (@Name, @IsInstructionTuned)
            ON CONFLICT (model_name) DO NOTHING
            RETURNING model_id)
        SELECT model_id FROM inserted
        UNION ALL
        SELECT model_id FROM model_name WHERE model_name = @Name
        LIMIT 1
        """;

    private const string GetOrCreatePluginVersionSql = """
        WITH inserted AS (
            INSERT INTO plugin_version (version_name, ide_type, description) VALUES (@Name, @IdeType, @Description)
            ON CONFLICT (version_name, ide_type) DO NOTHING
            RETURNING version_id)
        SELECT version_id FROM inserted
        UNION ALL
        SELECT version_id FROM plugin_version WHERE version_name = @Name AND ide_type = @IdeType
        LIMIT 1
        """;

    private const string SelectTriggerTypeSql = """
        SELECT trigger_type_id FROM trigger_type WHERE trigger_type_name = @Name
        """;

    private readonly ConcurrentDictionary<string, long> _languages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Name, string IdeType), long> _pluginVersions = new();
    private readonly ConcurrentDictionary<string, long> _triggerTypes = new(StringComparer.Ordinal);

    /// <summary>The id of an LSP <c>languageId</c> (e.g. <c>python</c>), created when new.</summary>
    public ValueTask<long> GetLanguageIdAsync(string languageId, CancellationToken cancellationToken) =>
        GetOrCreateAsync(_languages, languageId, GetOrCreateLanguageSql, () => [Param("Name", languageId)], cancellationToken);

    /// <summary>The id of a model; <paramref name="isInstructionTuned"/> only matters when the row is created.</summary>
    public ValueTask<long> GetModelIdAsync(string modelName, bool isInstructionTuned, CancellationToken cancellationToken) =>
        GetOrCreateAsync(_models, modelName, GetOrCreateModelSql, () => [Param("Name", modelName), Param("IsInstructionTuned", isInstructionTuned)], cancellationToken);

    /// <summary>The id of a plugin version for an IDE; <paramref name="description"/> only matters when the row is created.</summary>
    public ValueTask<long> GetPluginVersionIdAsync(string versionName, string ideType, string? description, CancellationToken cancellationToken) =>
        GetOrCreateAsync(_pluginVersions, (versionName, ideType), GetOrCreatePluginVersionSql,
            () => [Param("Name", versionName), Param("IdeType", ideType), Param("Description", description)], cancellationToken);

    /// <summary>The id of <c>manual</c>, <c>auto</c> or <c>idle</c>; <see cref="ArgumentException"/> for any other name.</summary>
    public async ValueTask<long> GetTriggerTypeIdAsync(string name, CancellationToken cancellationToken)
    {
        if (_triggerTypes.TryGetValue(name, out var cached))
        {
            return cached;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var id = await connection.ScalarAsync<long?>(SelectTriggerTypeSql, null, cancellationToken, Param("Name", name))
            ?? throw new ArgumentException($"Unknown trigger type '{name}': the schema knows manual, auto and idle.", nameof(name));
        return _triggerTypes.GetOrAdd(name, id);
    }

    private async ValueTask<long> GetOrCreateAsync<TKey>(
        ConcurrentDictionary<TKey, long> cache, TKey key, string sql, Func<NpgsqlParameter[]> parameters, CancellationToken cancellationToken)
        where TKey : notnull
    {
        if (cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // The statement sees the snapshot taken when it started: if another transaction inserted the same
        // name meanwhile, ON CONFLICT waits for it and skips, yet the SELECT cannot see its row. The next
        // statement can, so try again (the second attempt always finds it).
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var id = await connection.ScalarAsync<long?>(sql, null, cancellationToken, parameters());
            if (id is { } found)
            {
                return cache.GetOrAdd(key, found);
            }
        }

        throw new InvalidOperationException($"Could not get or create the reference row '{key}'.");
    }
}
