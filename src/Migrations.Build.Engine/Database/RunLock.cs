using Npgsql;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// What keeps two runs against one history table apart: a transaction-scoped advisory lock, held by an open
/// transaction on a connection of its own for as long as the run changes anything. Unlike a session-level lock it
/// cannot outlive its run behind a connection pooler: PgBouncer in transaction mode hands a server session to the
/// next client when a transaction ends, with its session locks still held (and the next client re-entering them),
/// while an open transaction pins the server session and is rolled back when the client goes. A deployer killed
/// with -9 frees it at once: its idle transaction ends when the server sees the socket close.
/// </summary>
public sealed class RunLock : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly NpgsqlConnection _connection;

    private RunLock(NpgsqlConnection connection) => _connection = connection;

    /// <summary>Takes the lock if it is free now: the lock, or null (and no connection left open) when another run holds it.</summary>
    public static RunLock? TryAcquire(ConnectionSettings settings, long key, CancellationToken cancel)
    {
        var connection = settings.CreateConnection();
        try
        {
            connection.Open();
            if (TryTake(connection, key, cancel)) return new RunLock(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        connection.Dispose();
        return null;
    }

    /// <summary>
    /// Waits (and says so) up to <paramref name="timeout"/> for another run to release the lock, then takes it.
    /// Between tries it holds no connection: behind a pooler in session mode each would pin a server connection,
    /// and waiters could use up the pool that the run they wait for needs. Synchronous: it belongs to a run's
    /// opening, on a thread of its own.
    /// </summary>
    public static RunLock Acquire(ConnectionSettings settings, long key, TimeSpan timeout, IMigrationLog log, string lockName, CancellationToken cancel)
    {
        if (TryAcquire(settings, key, cancel) is { } free) return free;
        log.Info($"Waiting for another migration run to finish (advisory lock on {lockName}, up to {timeout.TotalSeconds:0} s)...");
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            cancel.ThrowIfCancellationRequested();
            if (cancel.WaitHandle.WaitOne(PollInterval)) cancel.ThrowIfCancellationRequested();
            if (TryAcquire(settings, key, cancel) is { } taken) return taken;
        }
        throw new LockTimeoutException(
            $"another migration run still holds the lock on {lockName} after {timeout.TotalSeconds:0} s: " +
            "wait for it to finish, or raise MigrationLockTimeout (seconds)");
    }

    /// <summary>
    /// Whether a run holds the lock now: a transaction-scoped or session-level advisory lock on <paramref name="key"/>
    /// shows in pg_locks (classid and objid are the key's high and low halves, objsubid 1 for a bigint key).
    /// </summary>
    public static string HeldSql(long key) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 " +
        $"AND classid = {(uint)(key >> 32)} AND objid = {(uint)(key & 0xFFFFFFFF)})");

    /// <summary>
    /// One try, in a transaction of its own that stays open only if it got the lock. A waiter must not keep a
    /// transaction open while it polls: CREATE INDEX CONCURRENTLY in the holder's migration waits for every
    /// transaction that ran a statement while it took its snapshots, so a long polling transaction would stall
    /// it (and the holder with it) until the waiter gave up. The holder's idle transaction has no snapshot and
    /// does not stall it, provided it holds no snapshot: the SELECT's portal keeps one (and with it the session's
    /// xmin) until the next statement replaces it, so a utility statement, which needs none, comes last.
    /// </summary>
    private static bool TryTake(NpgsqlConnection connection, long key, CancellationToken cancel)
    {
        Execute(connection, "BEGIN", cancel);
        using (var command = new NpgsqlCommand(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SELECT pg_try_advisory_xact_lock({key})"), connection))
        using (cancel.Register(command.Cancel))
        {
            if (!(bool)command.ExecuteScalar()!)
            {
                Execute(connection, "ROLLBACK", cancel);
                return false;
            }
        }
        // A server-wide idle-in-transaction timeout would end the lock's transaction while migrations run.
        Execute(connection, "SET LOCAL idle_in_transaction_session_timeout = 0", cancel);
        return true;
    }

    private static void Execute(NpgsqlConnection connection, string sql, CancellationToken cancel)
    {
        using var command = new NpgsqlCommand(sql, connection);
        using var cancelling = cancel.Register(command.Cancel);
        command.ExecuteNonQuery();
    }

    /// <summary>Ends the lock's transaction (rolled back: it changed nothing) and its connection.</summary>
    public void Dispose() => _connection.Dispose();
}

public sealed class LockTimeoutException(string message) : Exception(message);
