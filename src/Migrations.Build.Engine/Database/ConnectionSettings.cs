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
        catch (ArgumentException)
        {
            // Not the builder's message: with an unquoted ';' in a password it would name part of the password.
            throw new ConnectionSettingsException(
                "the connection string is not valid (an unknown key, a bad value, or a value with ';' or '=' that is not quoted: write Password='a;b')");
        }
    }
}

public sealed class ConnectionSettingsException(string message) : Exception(message);
