using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Code4me.Lsp.Storage.Postgres.Analysis;
using Parquet;
using Parquet.Schema;

namespace Code4me.Lsp.Reporting;

/// <summary>
/// A shareable dataset: one file per analysis view (Parquet or CSV) and a data card (README.md) made from the views' COMMENTs.
/// Identity columns become HMAC-SHA256 pseudonyms under a salt made for this export and never stored, so ids are consistent
/// across the export's files and unlinkable to the database or to another export. Code and chat text are left out unless
/// asked for.
/// </summary>
internal sealed class DatasetExport(AnalysisDataset dataset, string directory, bool parquet, bool includeText, Action<string> progress)
{
    private const int RowGroupSize = 50_000;
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;
    private readonly byte[] _salt = RandomNumberGenerator.GetBytes(32);

    /// <summary>The audit record's detail of an export: its format, whether text was included, the study if one, and each file's row count (no salt, no path).</summary>
    public static string AuditDetail(string format, bool includeText, string? study, IReadOnlyList<(string File, long Rows)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", format);
            json.WriteBoolean("include_code", includeText);
            if (study is not null)
            {
                json.WriteString("study", study);
            }

            json.WriteStartObject("files");
            foreach (var (file, rows) in files)
            {
                json.WriteNumber(file, rows);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes every file and the data card; returns the files written with their row counts.</summary>
    public async Task<IReadOnlyList<(string File, long Rows)>> WriteAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var views = await dataset.ViewsAsync(cancellationToken);
        var written = new List<(DatasetView View, IReadOnlyList<DatasetColumn> Columns, string File, long Rows)>();
        foreach (var view in views)
        {
            var columns = view.Columns.Where(c => includeText || !c.IsText).ToList();
            var file = view.Name + (parquet ? ".parquet" : ".csv");
            progress($"export: {file}");
            var rows = dataset.RowsAsync(view, columns, cancellationToken);
            var count = parquet
                ? await WriteParquetAsync(Path.Combine(directory, file), columns, rows, cancellationToken)
                : await WriteCsvAsync(Path.Combine(directory, file), columns, rows, cancellationToken);
            written.Add((view, columns, file, count));
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "README.md"), DataCard(written), cancellationToken);
        return [.. written.Select(w => (w.File, w.Rows))];
    }

    private async Task<long> WriteCsvAsync(string path, IReadOnlyList<DatasetColumn> columns, IAsyncEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        await writer.WriteAsync(string.Join(',', columns.Select(c => Csv(c.Name))) + "\r\n");
        long count = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            await writer.WriteAsync(string.Join(',', columns.Select((c, i) => Csv(Format(Convert(c, row[i]))))) + "\r\n");
            count++;
        }

        return count;
    }

    private async Task<long> WriteParquetAsync(string path, IReadOnlyList<DatasetColumn> columns, IAsyncEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        var fields = columns.Select(Field).ToArray();
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, cancellationToken: cancellationToken);
        writer.CustomMetadata = columns.ToDictionary(c => c.Name, c => c.Comment);
        var buffer = new List<object?[]>(RowGroupSize);
        long count = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            buffer.Add([.. columns.Select((c, i) => Convert(c, row[i]))]);
            count++;
            if (buffer.Count == RowGroupSize)
            {
                await WriteRowGroupAsync(writer, fields, buffer, cancellationToken);
                buffer.Clear();
            }
        }

        if (buffer.Count > 0 || count == 0)
        {
            await WriteRowGroupAsync(writer, fields, buffer, cancellationToken);
        }

        return count;
    }

    private static async Task WriteRowGroupAsync(ParquetWriter writer, DataField[] fields, List<object?[]> rows, CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        for (var i = 0; i < fields.Length; i++)
        {
            var index = i;
            var field = fields[i];
            var task = field.ClrType switch
            {
                var t when t == typeof(long) => group.WriteAsync<long>(field, Values<long>(rows, index), cancellationToken: cancellationToken),
                var t when t == typeof(int) => group.WriteAsync<int>(field, Values<int>(rows, index), cancellationToken: cancellationToken),
                var t when t == typeof(double) => group.WriteAsync<double>(field, Values<double>(rows, index), cancellationToken: cancellationToken),
                var t when t == typeof(decimal) => group.WriteAsync<decimal>(field, Values<decimal>(rows, index), cancellationToken: cancellationToken),
                var t when t == typeof(bool) => group.WriteAsync<bool>(field, Values<bool>(rows, index), cancellationToken: cancellationToken),
                var t when t == typeof(DateTime) => group.WriteAsync<DateTime>(field, Values<DateTime>(rows, index), cancellationToken: cancellationToken),
                _ => group.WriteAsync(field, rows.Select(r => (string)r[index]!).ToArray(), null),
            };
            await task;
        }
    }

    private static ReadOnlyMemory<T?> Values<T>(List<object?[]> rows, int index)
        where T : struct => rows.Select(r => r[index] is T value ? value : (T?)null).ToArray();

    /// <summary>The Parquet field of a column: nullable, of the CLR type <see cref="Convert"/> gives.</summary>
    private static DataField Field(DatasetColumn column) => column.Type switch
    {
        "bigint" => new DataField(column.Name, typeof(long), isNullable: true),
        "integer" => new DataField(column.Name, typeof(int), isNullable: true),
        "double precision" => new DataField(column.Name, typeof(double), isNullable: true),
        "boolean" => new DataField(column.Name, typeof(bool), isNullable: true),
        "date" => new DateTimeDataField(column.Name, DateTimeFormat.Date, isNullable: true),
        "timestamp with time zone" => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isNullable: true),
        _ when column.Type.StartsWith("numeric", StringComparison.Ordinal) => new DecimalDataField(column.Name, 38, 9, isNullable: true),
        _ => new DataField(column.Name, typeof(string), isNullable: true),
    };

    /// <summary>
    /// A value as written: identity ids → pseudonyms, other uuids → text, arrays → a JSON array, date → midnight UTC; the rest as read.
    /// </summary>
    private object? Convert(DatasetColumn column, object? value) => value switch
    {
        null => null,
        Guid id when column.IsIdentity => Pseudonym(id),
        Guid id => id.ToString(),
        string[] items => JsonArray(items),
        DateOnly day => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
        DateTime time when column.Type == "date" => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        float single => (double)single,
        _ => value,
    };

    /// <summary>The first 16 bytes of HMAC-SHA256(export salt, id), as hex.</summary>
    private string Pseudonym(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return System.Convert.ToHexStringLower(HMACSHA256.HashData(_salt, bytes)[..16]);
    }

    private static string JsonArray(string[] items)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var item in items)
            {
                json.WriteStringValue(item);
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", s_invariant),
        DateTime t => t.ToString("O", s_invariant),
        IFormattable f => f.ToString(null, s_invariant),
        _ => value.ToString() ?? "",
    };

    /// <summary>RFC 4180: quoted when it holds a comma, a quote or a line break.</summary>
    private static string Csv(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    private string DataCard(IReadOnlyList<(DatasetView View, IReadOnlyList<DatasetColumn> Columns, string File, long Rows)> files)
    {
        var card = new StringBuilder();
        card.Append("# Code4me study dataset\n\n")
            .Append(CultureInfo.InvariantCulture, $"Exported {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC by `code4me-lsp data export-dataset`, one {(parquet ? "Parquet" : "CSV (RFC 4180, UTF-8, header row)")} file per view of the schema `analysis` (migration 0010), read in one snapshot.\n\n")
            .Append("- **Pseudonyms.** `participant_id`, `user_id`, `installation_id` and `session_id` are the first 16 bytes of HMAC-SHA256 under a random salt made for this export and not kept: the same id is the same pseudonym in every file of this export, and cannot be linked to the database or to another export.\n")
            .Append(includeText
                ? "- **Text included.** Code and chat text (`completion`, `ground_truth`, `message`, `reply`) is in the files, as recorded (secrets were redacted before recording).\n"
                : "- **No text.** Code and chat text (`completion`, `ground_truth`, `message`, `reply`) is left out (`--include-code` adds it).\n")
            .Append(dataset.Filter.Study is { } study
                ? $"- **Study {study}.** Only the queries and chat replies of this study's participants within its period (`--study`, the setting `analysis.study`); `ab_arms` compares its arms if its participants have arms.\n"
                : "- **Everyone.** Every participant's queries and chat replies, over all time.\n")
            .Append("- Times are UTC; a day is a UTC calendar day; lists are JSON arrays; empty means unknown (SQL NULL).\n");
        foreach (var (view, columns, file, rows) in files)
        {
            card.Append(CultureInfo.InvariantCulture, $"\n## {file} ({rows:N0} rows)\n\n{view.Comment}\n\n| column | type | definition |\n| --- | --- | --- |\n");
            foreach (var column in columns)
            {
                var type = column.IsIdentity ? "text (pseudonym)" : column.Type;
                card.Append(CultureInfo.InvariantCulture, $"| `{column.Name}` | {type} | {column.Comment.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
            }
        }

        return card.ToString();
    }
}
