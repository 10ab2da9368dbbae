using System.Net.Sockets;
using Npgsql;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// Turns what can go wrong around a run (not inside a migration's SQL) into a coded diagnostic with a
/// clear message. Messages name host, port, database and user; never the password or the connection string.
/// </summary>
public static class DatabaseErrors
{
    public static MigrationDiagnostic ToDiagnostic(Exception exception, ConnectionSettings connection)
    {
        var target = connection.Description;
        var database = connection.Builder.Database ?? connection.Builder.Username ?? "(default)";
        return exception switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } pg =>
                Error(DiagnosticCodes.AuthenticationFailed, $"authentication failed connecting to {target}: {pg.MessageText} (SQLSTATE {pg.SqlState}). Check the user and password"),
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } pg =>
                Error(DiagnosticCodes.DatabaseNotFound, $"database '{database}' does not exist on {connection.Builder.Host}:{connection.Builder.Port}: create it (createdb {database}) or fix the connection string ({pg.MessageText})"),
            PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } pg =>
                Error(DiagnosticCodes.PermissionDenied, $"permission denied on {target}: {pg.MessageText} (SQLSTATE {pg.SqlState}). Grant the user what the history table needs (CREATE on its schema) or use another user"),
            PostgresException pg =>
                Error(DiagnosticCodes.DatabaseError, $"database error on {target}: {pg.MessageText} (SQLSTATE {pg.SqlState})"),
            LockTimeoutException lockTimeout => Error(DiagnosticCodes.LockTimeout, lockTimeout.Message),
            HistoryTableException history => Error(DiagnosticCodes.UnknownHistoryTable, history.Message),
            ConnectionSettingsException settings => Error(DiagnosticCodes.InvalidSetting, settings.Message),
            NpgsqlException { InnerException: SocketException socket } =>
                Error(DiagnosticCodes.CannotConnect, $"cannot connect to {target}: {socket.Message}. Is the server running and reachable?"),
            NpgsqlException { InnerException: TimeoutException } or TimeoutException =>
                Error(DiagnosticCodes.CannotConnect, $"cannot connect to {target}: the connection timed out. Is the server running and reachable?"),
            NpgsqlException npgsql =>
                Error(DiagnosticCodes.CannotConnect, $"cannot talk to {target}: {npgsql.Message}"),
            SocketException socket =>
                Error(DiagnosticCodes.CannotConnect, $"cannot connect to {target}: {socket.Message}. Is the server running and reachable?"),
            _ => Error(DiagnosticCodes.DatabaseError, $"unexpected failure against {target}: {exception.GetType().Name}: {exception.Message}"),
        };
    }

    private static MigrationDiagnostic Error(string code, string message) => new(code, DiagnosticSeverity.Error, message);
}
