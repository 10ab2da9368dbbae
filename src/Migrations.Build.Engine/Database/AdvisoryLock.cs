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

    public static async Task AcquireAsync(NpgsqlConnection connection, long key, TimeSpan timeout, IMigrationLog log, string lockName, CancellationToken cancel)
    {
        if (await TryAsync(connection, key, cancel)) return;

        log.Info($"Waiting for another migration run to finish (advisory lock on {lockName}, up to {timeout.TotalSeconds:0} s)...");
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(PollInterval, cancel);
            if (await TryAsync(connection, key, cancel)) return;
        }
        throw new LockTimeoutException(
            $"another migration run still holds the lock on {lockName} after {timeout.TotalSeconds:0} s: " +
            "wait for it to finish, or raise MigrationLockTimeout (seconds)");
    }

    private static async Task<bool> TryAsync(NpgsqlConnection connection, long key, CancellationToken cancel)
    {
        // The key inline, not a parameter: see SqlLiteral for why the nothing-pending path avoids parameters.
        await using var command = new NpgsqlCommand(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SELECT pg_try_advisory_lock({key})"), connection);
        return (bool)(await command.ExecuteScalarAsync(cancel))!;
    }
}

public sealed class LockTimeoutException(string message) : Exception(message);
