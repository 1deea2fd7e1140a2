using System.Buffers;
using System.Text;
using System.Text.Json;
using Code4me.Lsp.Core.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>
/// The multi-file context of a batch (<see cref="MultiFileContext"/>) as PostgreSQL gets it: per query, the JSON of
/// <c>meta_query.multi_file_context_changes_indexes</c>; per project (each once), the baselines and changes merged in
/// event order, written by one call of <c>record_multi_file_context</c> (migration 0007), which is idempotent.
/// </summary>
internal sealed class MultiFileContextRows
{
    private const string RecordSql = """
        SELECT record_multi_file_context($1::uuid[], $2::jsonb[], $3::jsonb[])
        """;

    private readonly Dictionary<Guid, (Dictionary<string, string> Baselines, Dictionary<string, MultiFileContextChange> Changes)> _projects = [];

    /// <summary>The <c>multi_file_context_changes_indexes</c> JSON of one query: <c>{}</c> without multi-file context.</summary>
    public static string IndexesJson(MultiFileContext? context) => Json(json =>
    {
        json.WriteStartObject();
        foreach (var (path, keys) in context?.Indexes ?? new Dictionary<string, IReadOnlyList<string>?>())
        {
            if (keys is null)
            {
                json.WriteNull(path);
                continue;
            }

            json.WriteStartArray(path);
            foreach (var key in keys)
            {
                json.WriteStringValue(key);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    });

    /// <summary>Adds a query's baselines and changes to its project's (the first baseline per path in the batch wins).</summary>
    public void Add(Guid projectId, MultiFileContext? context)
    {
        if (context is null || (context.Baselines.Count == 0 && context.Changes.Count == 0))
        {
            return;
        }

        if (!_projects.TryGetValue(projectId, out var project))
        {
            _projects[projectId] = project = (new(StringComparer.Ordinal), new(StringComparer.Ordinal));
        }

        foreach (var (path, text) in context.Baselines)
        {
            project.Baselines.TryAdd(path, text);
        }

        foreach (var (key, change) in context.Changes)
        {
            project.Changes[key] = change;
        }
    }

    /// <summary>The one statement for the batch; null when no query brought baselines or changes.</summary>
    public NpgsqlBatchCommand? ToCommand()
    {
        if (_projects.Count == 0)
        {
            return null;
        }

        var command = new NpgsqlBatchCommand(RecordSql);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid, TypedValue = [.. _projects.Keys] });
        command.Parameters.Add(new NpgsqlParameter<string[]>
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
            TypedValue = [.. _projects.Values.Select(p => BaselinesJson(p.Baselines))],
        });
        command.Parameters.Add(new NpgsqlParameter<string[]>
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
            TypedValue = [.. _projects.Values.Select(p => ChangesJson(p.Changes))],
        });
        return command;
    }

    internal static string BaselinesJson(IReadOnlyDictionary<string, string> baselines) => Json(json =>
    {
        json.WriteStartObject();
        foreach (var (path, text) in baselines)
        {
            json.WriteString(path, text);
        }

        json.WriteEndObject();
    });

    internal static string ChangesJson(IReadOnlyDictionary<string, MultiFileContextChange> changes) => Json(json =>
    {
        json.WriteStartObject();
        foreach (var (key, change) in changes)
        {
            json.WriteStartObject(key);
            json.WriteString("path", change.Path);
            json.WriteNumber("offset", change.Offset);
            if (change.Deleted is { } deleted)
            {
                json.WriteNumber("deleted", deleted);
            }
            else
            {
                json.WriteNull("deleted");
            }

            json.WriteString("text", change.Text);
            json.WriteString("at", change.At.UtcDateTime);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    });

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
