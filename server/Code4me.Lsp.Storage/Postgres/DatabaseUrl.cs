using System.Globalization;
using Npgsql;

namespace Code4me.Lsp.Storage.Postgres;

/// <summary>
/// Turns the <c>--database</c> / <c>CODE4ME_DATABASE_URL</c> setting into an Npgsql connection string.
/// Accepts an Npgsql connection string (<c>Host=…;Username=…</c>) or a libpq-style URL
/// <c>postgres[ql]://user:password@host:port/database?sslmode=require</c>, with percent-encoded parts,
/// <c>[::1]</c> IPv6 hosts, comma-separated hosts and <c>?host=/run/postgresql</c> for a socket directory.
/// Messages never contain the password.
/// </summary>
internal static class DatabaseUrl
{
    private static readonly Dictionary<string, Action<NpgsqlConnectionStringBuilder, string>> s_parameters = new(StringComparer.Ordinal)
    {
        ["sslmode"] = (b, v) => b.SslMode = ParseSslMode(v),
        ["host"] = (b, v) => b.Host = v,
        ["port"] = (b, v) => b.Port = ParsePort(v),
        ["user"] = (b, v) => b.Username = v,
        ["password"] = (b, v) => b.Password = v,
        ["dbname"] = (b, v) => b.Database = v,
        ["application_name"] = (b, v) => b.ApplicationName = v,
        ["connect_timeout"] = (b, v) => b.Timeout = ParseInt("connect_timeout", v),
        ["options"] = (b, v) => b.Options = v,
        ["target_session_attrs"] = (b, v) => b.TargetSessionAttributes = v,
    };

    public static string ToConnectionString(string setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var value = setting.Trim();
        if (value.Length == 0)
        {
            throw new FormatException("The database setting is empty: give a postgres:// URL or an Npgsql connection string.");
        }

        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return FromUrl(value);
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            throw new FormatException("A database URL must start with postgres:// or postgresql://.");
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(value).ConnectionString;
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"The database setting is neither a postgres:// URL nor a valid Npgsql connection string: {e.Message}", e);
        }
    }

    private static string FromUrl(string url)
    {
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var builder = new NpgsqlConnectionStringBuilder();

        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        var query = queryStart < 0 ? "" : rest[(queryStart + 1)..];
        rest = queryStart < 0 ? rest : rest[..queryStart];

        var pathStart = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        var database = pathStart < 0 ? "" : Decode(rest[(pathStart + 1)..]);
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Decode(colon < 0 ? userInfo : userInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Decode(userInfo[(colon + 1)..]);
            }
        }

        if (authority.Length > 0)
        {
            SetHosts(builder, authority);
        }

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Decode(pair[(eq + 1)..]);
            if (!s_parameters.TryGetValue(key, out var apply))
            {
                throw new FormatException(
                    $"Unknown parameter '{key}' in the database URL; supported: {string.Join(", ", s_parameters.Keys)}.");
            }

            apply(builder, value);
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new FormatException("The database URL names no host: use postgres://user@host/db or ?host=/socket/directory.");
        }

        return builder.ConnectionString;
    }

    private static void SetHosts(NpgsqlConnectionStringBuilder builder, string authority)
    {
        var hosts = authority.Split(',');
        var parsed = hosts.Select(SplitHostPort).ToList();
        if (parsed.Count == 1)
        {
            builder.Host = parsed[0].Host;
            if (parsed[0].Port is { } port)
            {
                builder.Port = port;
            }

            return;
        }

        // Npgsql takes several hosts as "host:port,host:port".
        builder.Host = string.Join(',', parsed.Select(p => p.Port is { } port ? $"{p.Host}:{port}" : p.Host));
    }

    private static (string Host, int? Port) SplitHostPort(string hostPort)
    {
        string host;
        string? port = null;
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException("The database URL has an IPv6 host without its closing ']'.");
            }

            host = hostPort[1..close];
            if (close + 1 < hostPort.Length)
            {
                port = hostPort[(close + 1)..].TrimStart(':');
            }
        }
        else
        {
            var colon = hostPort.LastIndexOf(':');
            host = colon < 0 ? hostPort : hostPort[..colon];
            port = colon < 0 ? null : hostPort[(colon + 1)..];
        }

        return (Decode(host), string.IsNullOrEmpty(port) ? null : ParsePort(port));
    }

    private static string Decode(string value)
    {
        try
        {
            return Uri.UnescapeDataString(value);
        }
        catch (UriFormatException e)
        {
            throw new FormatException("The database URL has an invalid percent-encoding.", e);
        }
    }

    private static int ParsePort(string value)
    {
        var port = ParseInt("port", value);
        return port is > 0 and <= 65535 ? port : throw new FormatException($"'{value}' is not a TCP port (1-65535).");
    }

    private static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"The database URL's {name} '{value}' is not a number.");

    private static SslMode ParseSslMode(string value) => value switch
    {
        "disable" => SslMode.Disable,
        "allow" => SslMode.Allow,
        "prefer" => SslMode.Prefer,
        "require" => SslMode.Require,
        "verify-ca" => SslMode.VerifyCA,
        "verify-full" => SslMode.VerifyFull,
        _ => throw new FormatException(
            $"sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full."),
    };
}
