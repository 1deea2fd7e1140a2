using Npgsql;
using NpgsqlTypes;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>
/// The statements of a telemetry batch and their parameters: every parameter carries its <see cref="NpgsqlDbType"/>,
/// column values go as arrays for <c>unnest</c>, timestamps as UTC <see cref="DateTime"/>s into <c>timestamptz</c>.
/// </summary>
internal static class BatchParameters
{
    public static void Add(NpgsqlBatch batch, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        batch.BatchCommands.Add(command);
    }

    public static NpgsqlParameter Uuid(Guid? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Uuid, Value = value is { } v ? v : DBNull.Value };

    public static NpgsqlParameter<Guid[]> Uuids(IEnumerable<Guid> values) => Array(NpgsqlDbType.Uuid, values.ToArray());

    public static NpgsqlParameter<Guid?[]> NullableUuids(IEnumerable<Guid?> values) => Array(NpgsqlDbType.Uuid, values.ToArray());

    public static NpgsqlParameter<string?[]> Texts(IEnumerable<string?> values) => Array(NpgsqlDbType.Text, values.ToArray());

    public static NpgsqlParameter<long[]> Bigints(List<long> values) => Array(NpgsqlDbType.Bigint, values.ToArray());

    public static NpgsqlParameter<int[]> Integers(List<int> values) => Array(NpgsqlDbType.Integer, values.ToArray());

    public static NpgsqlParameter<int?[]> NullableIntegers(List<int?> values) => Array(NpgsqlDbType.Integer, values.ToArray());

    public static NpgsqlParameter<DateTime[]> Timestamps(IEnumerable<DateTime> values) => Array(NpgsqlDbType.TimestampTz, values.ToArray());

    private static NpgsqlParameter<T[]> Array<T>(NpgsqlDbType elementType, T[] values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | elementType, TypedValue = values };
}
