using Npgsql;
using NpgsqlTypes;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>
/// One column of a <see cref="CopyTable{TRow}"/>: its name, its PostgreSQL type (binary COPY does not
/// type-check, so the type is always explicit) and how to take its value from a row.
/// </summary>
internal sealed class CopyColumn<TRow>
{
    private readonly Func<NpgsqlBinaryImporter, TRow, CancellationToken, Task> _write;

    private CopyColumn(string name, NpgsqlDbType type, Func<NpgsqlBinaryImporter, TRow, CancellationToken, Task> write)
    {
        Name = name;
        Type = type;
        _write = write;
    }

    /// <summary>The column name, snake_case, quoted where PostgreSQL needs it (<c>"timestamp"</c>).</summary>
    public string Name { get; }

    /// <summary>The column's type as binary COPY sends it.</summary>
    public NpgsqlDbType Type { get; }

    /// <summary>The type as SQL spells it, for the staging table's definition.</summary>
    public string SqlType => SqlTypeOf(Type);

    /// <summary>A column whose value is <paramref name="value"/> of the row; a null value is written as NULL.</summary>
    public static CopyColumn<TRow> Of<TValue>(string name, NpgsqlDbType type, Func<TRow, TValue> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _ = SqlTypeOf(type);   // an unmapped type fails when the table is declared, not in the middle of a COPY
        return new(name, type, (importer, row, cancellationToken) => value(row) is { } v
            ? importer.WriteAsync(v, type, cancellationToken)
            : importer.WriteNullAsync(cancellationToken));
    }

    /// <summary>Writes this column of <paramref name="row"/> into the current COPY row.</summary>
    public Task WriteAsync(NpgsqlBinaryImporter importer, TRow row, CancellationToken cancellationToken) => _write(importer, row, cancellationToken);

    private static string SqlTypeOf(NpgsqlDbType type) => type switch
    {
        NpgsqlDbType.Uuid => "uuid",
        NpgsqlDbType.Text => "text",
        NpgsqlDbType.Bigint => "bigint",
        NpgsqlDbType.Integer => "integer",
        NpgsqlDbType.Double => "double precision",
        NpgsqlDbType.Boolean => "boolean",
        NpgsqlDbType.TimestampTz => "timestamptz",
        NpgsqlDbType.Jsonb => "jsonb",
        _ when type.HasFlag(NpgsqlDbType.Array) => SqlTypeOf(type & ~NpgsqlDbType.Array) + "[]",
        _ => throw new NotSupportedException($"No SQL type is mapped for {type}; add it to {nameof(CopyColumn<TRow>)}."),
    };
}
