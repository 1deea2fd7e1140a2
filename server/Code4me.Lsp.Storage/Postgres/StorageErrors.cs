using System.Net.Sockets;
using Code4me.Lsp.Storage.Postgres.Migrations;
using Npgsql;

namespace Code4me.Lsp.Storage.Postgres;

/// <summary>
/// Turns the failures a person can fix (no database, wrong credentials, refused connection, a schema
/// not migrated, newer schema, edited migration, constraint violations) into one clear sentence, never a stack trace.
/// Returns null for anything unexpected. Messages never contain the password.
/// </summary>
internal static class StorageErrors
{
    public static string? Describe(Exception exception, string? connectionString = null)
    {
        var target = TargetOf(connectionString);
        switch (exception)
        {
            case MigrationException e:
                return e.Message;
            case FormatException e:
                return $"Invalid database setting: {e.Message}";
            case PostgresException e:
                return DescribePostgres(e, target);
            case NpgsqlException e when FindInner<SocketException>(e) is { } socket:
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused =>
                        $"Could not connect to PostgreSQL at {target.Server}: connection refused. Is PostgreSQL running and listening there?",
                    SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain =>
                        $"Could not connect to PostgreSQL: host {target.Server} was not found.",
                    SocketError.TimedOut =>
                        $"Could not connect to PostgreSQL at {target.Server}: the connection timed out.",
                    _ => $"Could not connect to PostgreSQL at {target.Server}: {socket.Message}",
                };
            case NpgsqlException e when FindInner<TimeoutException>(e) is not null:
                return $"Could not connect to PostgreSQL at {target.Server}: timed out.";
            case NpgsqlException e when e.InnerException is IOException or EndOfStreamException:
                return $"The connection to PostgreSQL at {target.Server} was lost: {e.Message}";
            default:
                return null;
        }
    }

    private static string DescribePostgres(PostgresException e, (string Server, string Database, string User) target)
    {
        var sqlState = e.SqlState;
        return sqlState switch
        {
            PostgresErrorCodes.InvalidCatalogName =>
                $"Database \"{target.Database}\" does not exist on {target.Server}. Create it first (createdb {target.Database}) or fix --database.",
            PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                $"Could not log in to {target.Server} as \"{target.User}\": {e.MessageText}. Check the user and password in --database or CODE4ME_DATABASE_URL.",
            PostgresErrorCodes.InsufficientPrivilege =>
                $"Permission denied: {e.MessageText}. This needs a role with more rights (migrations run as the database owner, not as code4me_writer or code4me_analyst).",
            PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedFunction or PostgresErrorCodes.UndefinedColumn =>
                $"The database \"{target.Database}\" on {target.Server} has no Code4me schema, or an older one ({e.MessageText}): run `code4me-lsp migrate up` as its owner.",
            PostgresErrorCodes.CannotConnectNow =>
                $"PostgreSQL at {target.Server} is starting up or shutting down; try again in a moment.",
            _ when sqlState.StartsWith("23", StringComparison.Ordinal) =>
                $"Constraint violation: {e.MessageText}" +
                (e.ConstraintName is { } constraint ? $" (constraint {constraint}" + (e.TableName is { } table ? $" on {table})" : ")") : "") + ".",
            _ => $"PostgreSQL error {sqlState}: {e.MessageText}",
        };
    }

    /// <summary>Where a connection string points, for messages: the server (<c>host:port</c> or <c>socket DIR</c>), the database and the user; never the password.</summary>
    public static (string Server, string Database, string User) TargetOf(string? connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString ?? "");
            var server = builder.Host is { } host && host.StartsWith('/') ? $"socket {host}" : $"{builder.Host}:{builder.Port}";
            return (server, builder.Database ?? builder.Username ?? "", builder.Username ?? Environment.UserName);
        }
        catch (ArgumentException)
        {
            return ("the configured server", "", "");
        }
    }

    private static T? FindInner<T>(Exception exception)
        where T : Exception
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }
}
