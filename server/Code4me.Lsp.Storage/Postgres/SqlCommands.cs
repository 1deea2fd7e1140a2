using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Code4me.Lsp.Storage.Postgres;

/// <summary>
/// Storage's statements on a connection, with no reflection: parameters named as the SQL names them (<c>@Name</c>) and
/// typed from their CLR type (a null keeps its type, so PostgreSQL never guesses), rows read by a function the caller
/// writes, every call cancellable. What Dapper did here before, in a form a trimmed Native AOT binary keeps whole.
/// </summary>
internal static class SqlCommands
{
    /// <summary>A name as a quoted SQL identifier (<c>"name"</c>, inner quotes doubled), for names SQL cannot take as parameters.</summary>
    public static string QuoteIdentifier(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>
    /// A parameter <c>@<paramref name="name"/></c>: typed by Npgsql from the value (as Dapper left it), a null by its
    /// declared type <typeparamref name="T"/>.
    /// </summary>
    public static NpgsqlParameter Param<T>(string name, T value) =>
        value is null ? new NpgsqlParameter(name, TypeOf(typeof(T))) { Value = DBNull.Value } : new NpgsqlParameter(name, value);

    public static async Task<int> ExecuteAsync(
        this NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = Command(connection, sql, transaction, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first column of the first row, or <c>default</c> for no row or NULL.</summary>
    public static async Task<T?> ScalarAsync<T>(
        this NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = Command(connection, sql, transaction, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default
            : value is T typed ? typed
            : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>Every row, each read by <paramref name="read"/>.</summary>
    public static async Task<List<T>> QueryAsync<T>(
        this NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read, NpgsqlTransaction? transaction, CancellationToken cancellationToken,
        params NpgsqlParameter[] parameters)
    {
        await using var command = Command(connection, sql, transaction, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>The one row, or <c>default</c> for none; more than one is an error, as it is a bug.</summary>
    public static async Task<T?> QuerySingleOrDefaultAsync<T>(
        this NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read, NpgsqlTransaction? transaction, CancellationToken cancellationToken,
        params NpgsqlParameter[] parameters)
    {
        var rows = await connection.QueryAsync(sql, read, transaction, cancellationToken, parameters);
        return rows.Count switch
        {
            0 => default,
            1 => rows[0],
            _ => throw new InvalidOperationException($"Expected at most one row, got {rows.Count}."),
        };
    }

    /// <summary>
    /// Runs a statement of several result sets and hands its reader to <paramref name="read"/>, which takes the sets in
    /// order with <see cref="ReadSetAsync"/>.
    /// </summary>
    public static async Task<TResult> QueryMultipleAsync<TResult>(
        this NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, Task<TResult>> read, NpgsqlTransaction? transaction,
        CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = Command(connection, sql, transaction, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await read(reader);
    }

    /// <summary>The rows of the reader's current result set, each read by <paramref name="read"/>; then on to the next set.</summary>
    public static async Task<List<T>> ReadSetAsync<T>(this NpgsqlDataReader reader, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        await reader.NextResultAsync(cancellationToken);
        return rows;
    }

    /// <summary>The value of column <paramref name="ordinal"/>, or <c>default</c> for NULL.</summary>
    public static T? Get<T>(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? default : reader.GetFieldValue<T>(ordinal);

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction, NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlDbType TypeOf(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(Guid) => NpgsqlDbType.Uuid,
        var t when t == typeof(string) => NpgsqlDbType.Text,
        var t when t == typeof(int) => NpgsqlDbType.Integer,
        var t when t == typeof(long) => NpgsqlDbType.Bigint,
        var t when t == typeof(short) => NpgsqlDbType.Smallint,
        var t when t == typeof(bool) => NpgsqlDbType.Boolean,
        var t when t == typeof(double) => NpgsqlDbType.Double,
        var t when t == typeof(decimal) => NpgsqlDbType.Numeric,
        var t when t == typeof(DateTime) || t == typeof(DateTimeOffset) => NpgsqlDbType.TimestampTz,
        var t when t == typeof(byte[]) => NpgsqlDbType.Bytea,
        var t when t == typeof(string[]) => NpgsqlDbType.Array | NpgsqlDbType.Text,
        var t when t == typeof(Guid[]) => NpgsqlDbType.Array | NpgsqlDbType.Uuid,
        var t => throw new NotSupportedException($"No PostgreSQL type for a parameter of CLR type {t.Name}: add it to {nameof(SqlCommands)}."),
    };
}
