namespace Migrations.Build.Engine.Database.Fleet;

/// <summary>How a many-database run goes: how many at once, what a failure does, and each database's history table.</summary>
public sealed record FleetOptions
{
    /// <summary>Small: each database is a connection and a server backend, and the runs share the server's CPU and disk.</summary>
    public const int DefaultParallelism = 4;

    public const int MaxParallelism = 256;

    /// <summary>Databases run at once (MigrationParallelism).</summary>
    public int Parallelism { get; init; } = DefaultParallelism;

    /// <summary>MigrationOnFailure=stop (default): start no new database once one failed; the running ones finish.</summary>
    public bool StopOnFailure { get; init; } = true;

    /// <summary>
    /// Makes the runner for one database, with its log: the same settings (history table, lock and statement
    /// timeouts, retries, progress) as a run against a single database.
    /// </summary>
    public Func<ConnectionSettings, IMigrationLog, MigrationRunner> NewRunner { get; init; } =
        (connection, log) => new MigrationRunner(connection, new HistoryTable(HistoryTable.DefaultSchema, HistoryTable.DefaultTable), log, TimeSpan.FromSeconds(60));
}
