using Npgsql;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// A session-level advisory lock held for a whole run, so concurrent deployers apply each migration once:
/// the second run waits (and says so), then finds nothing pending. Runs use unpooled connections, so the
/// lock goes with the session when the connection closes, even if the run crashes.
/// </summary>
public static class AdvisoryLock
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The caller tried <see cref="TryLockCall"/> and found the lock taken: say so, and poll until it is free
    /// or <paramref name="timeout"/> has passed. Synchronous, like the rest of a session's opening (see
    /// <c>MigrationRunner</c>): it runs on a thread of its own.
    /// </summary>
    public static void Wait(NpgsqlConnection connection, long key, TimeSpan timeout, IMigrationLog log, string lockName, CancellationToken cancel)
    {
        log.Info($"Waiting for another migration run to finish (advisory lock on {lockName}, up to {timeout.TotalSeconds:0} s)...");
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            cancel.ThrowIfCancellationRequested();
            if (cancel.WaitHandle.WaitOne(PollInterval)) cancel.ThrowIfCancellationRequested();
            if (TryLock(connection, key, cancel)) return;
        }
        throw new LockTimeoutException(
            $"another migration run still holds the lock on {lockName} after {timeout.TotalSeconds:0} s: " +
            "wait for it to finish, or raise MigrationLockTimeout (seconds)");
    }

    /// <summary>The key inline, not a parameter: see <see cref="SqlLiteral"/> for why the nothing-pending path avoids parameters.</summary>
    public static string TryLockCall(long key) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pg_try_advisory_lock({key})");

    private static bool TryLock(NpgsqlConnection connection, long key, CancellationToken cancel)
    {
        using var command = new NpgsqlCommand("SELECT " + TryLockCall(key), connection);
        using var cancelling = cancel.Register(command.Cancel);
        return (bool)command.ExecuteScalar()!;
    }
}

public sealed class LockTimeoutException(string message) : Exception(message);
