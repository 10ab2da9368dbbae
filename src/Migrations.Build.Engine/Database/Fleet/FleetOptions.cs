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

    public string Schema { get; init; } = HistoryTable.DefaultSchema;

    public string Table { get; init; } = HistoryTable.DefaultTable;

    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ProgressInterval { get; init; } = MigrationRunner.DefaultProgressInterval;
}
