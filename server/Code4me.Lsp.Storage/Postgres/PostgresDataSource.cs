using Microsoft.Extensions.Logging;
using Npgsql;

namespace Code4me.Lsp.Storage.Postgres;

/// <summary>Builds the one <see cref="NpgsqlDataSource"/> of a process from the database setting.</summary>
internal static class PostgresDataSource
{
    public const string DefaultApplicationName = "code4me-lsp";

    /// <param name="databaseSetting">An Npgsql connection string or a postgres:// URL (<see cref="DatabaseUrl"/>).</param>
    /// <param name="loggerFactory">Where Npgsql logs; parameter values are never logged.</param>
    public static NpgsqlDataSource Create(string databaseSetting, ILoggerFactory? loggerFactory = null)
    {
        var builder = new NpgsqlDataSourceBuilder(DatabaseUrl.ToConnectionString(databaseSetting));
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName))
        {
            builder.ConnectionStringBuilder.ApplicationName = DefaultApplicationName;
        }

        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }

        return builder.Build();
    }
}
