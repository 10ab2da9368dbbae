using Npgsql;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// Where to connect: an Npgsql connection string or a postgres:// URL, from a property or from an
/// environment variable the task reads itself (so its value never passes through MSBuild's logs).
/// <see cref="Description"/> is the only form ever printed: host, port, database and user, no password.
/// </summary>
public sealed class ConnectionSettings
{
    private ConnectionSettings(NpgsqlConnectionStringBuilder builder, string source)
    {
        Builder = builder;
        Source = source;
    }

    public NpgsqlConnectionStringBuilder Builder { get; }

    /// <summary>Where the connection came from ("MigrationConnectionString", "environment variable X", "local database").</summary>
    public string Source { get; }

    public string ConnectionString => Builder.ConnectionString;

    /// <summary>
    /// A new, unopened connection from a lean data source: the tool reads only built-in types (bigint, text,
    /// timestamptz, …), so neither the database's own types are loaded (a catalog query and the code that
    /// digests it, on every run) nor Npgsql's plugins for JSON, ranges, geometry and the like set up. A
    /// migration's own result sets are skipped undecoded, so their types need not be known. TLS and
    /// Kerberos/GSS stay available, as deploy connections need them.
    /// </summary>
    /// <remarks>
    /// Several hosts (Host=a,b) go the plain NpgsqlConnection way: a data source builder refuses Target Session
    /// Attributes in a multi-host string, which an NpgsqlConnection accepts.
    /// </remarks>
    public NpgsqlConnection CreateConnection() => IsMultiHost
        ? new NpgsqlConnection(ConnectionString)
        : (_dataSource ??= BuildDataSource()).CreateConnection();

    private bool IsMultiHost => Builder.Host?.Contains(',') == true;

    private NpgsqlDataSource? _dataSource;

    private NpgsqlDataSource BuildDataSource()
    {
        var builder = new NpgsqlSlimDataSourceBuilder(ConnectionString);
        builder.EnableTransportSecurity();
        builder.EnableIntegratedSecurity();
        builder.ConfigureTypeLoading(options => options.EnableTypeLoading(false));
        return builder.Build();
    }

    public const string LocalSource = "the local development database";

    /// <summary>The throwaway local database: safety gates meant for real databases do not apply.</summary>
    public bool IsLocal => Source == LocalSource;

    public bool HasPassword => !string.IsNullOrEmpty(Builder.Password);

    public string Description =>
        $"{Builder.Host}:{Builder.Port}/{Builder.Database ?? "(default database)"} as {Builder.Username ?? "(default user)"}";

    public static ConnectionSettings Parse(string value, string source)
    {
        var trimmed = value.Trim();
        var builder = trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
                      trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            ? PostgresUrl.ToBuilder(trimmed)
            : ParseKeyValue(trimmed);
        // Migrations can run long (an index on a big table): no command timeout unless the string sets one.
        if (!trimmed.Contains("Command Timeout", StringComparison.OrdinalIgnoreCase) &&
            !trimmed.Contains("CommandTimeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.CommandTimeout = 0;
        }
        builder.ApplicationName ??= "Migrations.Build";
        // The server's DETAIL lines (which row, which key) belong in a failed migration's error.
        builder.IncludeErrorDetail = true;
        // One connection per run, closed at its end: unpooled, so no session (and no advisory lock) outlives
        // the run inside a long-lived MSBuild node.
        builder.Pooling = false;
        return new ConnectionSettings(builder, source);
    }

    public static ConnectionSettings FromBuilder(NpgsqlConnectionStringBuilder builder, string source) => new(builder, source);

    private static NpgsqlConnectionStringBuilder ParseKeyValue(string value)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(value);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Not the builder's message: with an unquoted ';' in a password it would name part of the password.
            throw new ConnectionSettingsException("the connection string is not valid: " + ExplainInvalid(value));
        }
    }

    /// <summary>Whether <paramref name="key"/> is one of Npgsql's connection string keywords (any spelling it accepts).</summary>
    public static bool IsKeyword(string key) => KnownKeys.ContainsKey(key);

    private static readonly NpgsqlConnectionStringBuilder KnownKeys = new();

    /// <summary>The keywords people write, for a suggestion when a key is misspelled.</summary>
    private static readonly string[] CommonKeys =
    [
        "Host", "Port", "Database", "Username", "Password", "SSL Mode", "Trust Server Certificate", "Timeout", "Command Timeout",
        "Search Path", "Application Name", "Target Session Attributes", "Keepalive", "Passfile", "Root Certificate", "Options",
    ];

    /// <summary>
    /// What is wrong, naming the key but never a value. A key right after Password= is not named either: an unquoted ';'
    /// in a password turns the rest of the password into a "key".
    /// </summary>
    internal static string ExplainInvalid(string value)
    {
        const string generic = "a value with ';' or '=' must be quoted: write Password='a;b'";
        List<KeyValuePair<string, object>> pairs;
        try
        {
            var parsed = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = value };
            pairs = parsed.Keys.Cast<string>().Select(k => new KeyValuePair<string, object>(k, parsed[k])).ToList();
        }
        catch (ArgumentException)
        {
            return "it is not 'key=value;key=value' (" + generic + ")";
        }
        for (var i = 0; i < pairs.Count; i++)
        {
            var key = pairs[i].Key;
            if (!IsKeyword(key))
            {
                if (i > 0 && IsPasswordKey(pairs[i - 1].Key)) return "the password seems to contain an unquoted ';' (" + generic + ")";
                var suggestion = CommonKeys.MinBy(k => EditDistance(k.ToLowerInvariant(), key.ToLowerInvariant()))!;
                return $"'{key}' is not a connection string keyword" +
                       (EditDistance(suggestion.ToLowerInvariant(), key.ToLowerInvariant()) <= 3 ? $" (did you mean '{suggestion}'?)" : "") +
                       "; the keywords are Npgsql's: Host, Port, Database, Username, Password, SSL Mode, …";
            }
            try
            {
                _ = new NpgsqlConnectionStringBuilder { [key] = pairs[i].Value };
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
            {
                return IsPasswordKey(key) ? "the password is not valid" : $"the value of '{key}' is not valid for it";
            }
        }
        return generic;
    }

    private static bool IsPasswordKey(string key) =>
        key.Equals("password", StringComparison.OrdinalIgnoreCase) || key.Equals("psw", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase);

    private static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}

public sealed class ConnectionSettingsException(string message) : Exception(message);
