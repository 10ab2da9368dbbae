namespace Migrations.Build.Engine.LocalDatabase;

/// <summary>
/// The local development database could not be found, created, started or stopped.
/// The message says what failed and carries the tail of the tool's output or the server log.
/// </summary>
public sealed class LocalDatabaseException : Exception
{
    public LocalDatabaseException(string message) : base(message)
    {
    }

    public LocalDatabaseException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
