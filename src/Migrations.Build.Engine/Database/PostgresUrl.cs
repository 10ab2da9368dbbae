using Npgsql;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// postgres://user:password@host:port/database?sslmode=require, as golang-migrate, dbmate and libpq take it,
/// turned into Npgsql's key=value form.
/// </summary>
public static class PostgresUrl
{
    public static NpgsqlConnectionStringBuilder ToBuilder(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw new ConnectionSettingsException("the postgres:// URL is not valid: expected postgres://user:password@host:port/database");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (uri.Port > 0) builder.Port = uri.Port;
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) builder.Database = database;

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0) builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            switch (key.ToLowerInvariant())
            {
                case "sslmode":
                    builder.SslMode = value.ToLowerInvariant() switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new ConnectionSettingsException($"the postgres:// URL has an unknown sslmode '{value}'"),
                    };
                    break;
                case "search_path":
                    builder.SearchPath = value;
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                case "connect_timeout":
                    if (int.TryParse(value, out var seconds)) builder.Timeout = seconds;
                    break;
                case "x-migrations-table":
                case "x-migrations-table-quoted":
                    // golang-migrate's: ignoring it would start a second history beside the one it names.
                    throw new ConnectionSettingsException(
                        $"the postgres:// URL has golang-migrate's {key}, which this tool does not read: remove it and set " +
                        "MigrationsTable (and MigrationsSchema) to that table instead");
                default:
                    // Other libpq options (and golang-migrate's x-statement-timeout, …) have no Npgsql equivalent: ignored, not fatal.
                    break;
            }
        }
        return builder;
    }
}
