using Npgsql;
using NpgsqlTypes;

namespace Code4me.Lsp.Storage.Postgres;

/// <summary>
/// The proof of identity a <c>code4me_writer</c> transaction shows migration 0009's checks: the auth token (a secret;
/// PostgreSQL resolves it to its user) and, for anonymous rows, the installation id, both set transaction-locally
/// before the first insert. Every row of <c>session</c>, <c>meta_query</c>, <c>chat</c>, <c>project</c>,
/// <c>project_users</c> and <c>audit_log</c> the transaction inserts must be that user's (NULL without one), or the
/// statement fails with 42501; <c>record_multi_file_context</c>, <c>session_end</c> and
/// <c>record_generation_feedback</c> touch only that user's (or installation's) rows.
/// </summary>
internal static class WriterProof
{
    private const string Sql = "SELECT set_config('code4me.auth_token', $1, true), set_config('code4me.installation_id', $2, true)";

    /// <summary>The statement that sets the proof; the first of a transaction.</summary>
    public static NpgsqlBatchCommand Command(Guid? authToken, Guid? installationId) => new(Sql)
    {
        Parameters =
        {
            new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = Text(authToken) },
            new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = Text(installationId) },
        },
    };

    /// <summary>Begins a transaction on <paramref name="connection"/> that carries the proof.</summary>
    public static async Task<NpgsqlTransaction> BeginAsync(
        NpgsqlConnection connection, Guid? authToken, Guid? installationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { Command(authToken, installationId) } };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return transaction;
    }

    private static string Text(Guid? value) => value is { } v ? v.ToString() : "";
}
