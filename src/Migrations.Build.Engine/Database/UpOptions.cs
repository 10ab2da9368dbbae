namespace Migrations.Build.Engine.Database;

/// <summary>How MigrateUp runs.</summary>
public sealed record UpOptions
{
    /// <summary>Stop at this version (MigrationTarget).</summary>
    public long? Target { get; init; }

    /// <summary>Apply pending migrations below the highest applied one (MigrationAllowOutOfOrder).</summary>
    public bool AllowOutOfOrder { get; init; }

    /// <summary>All pending migrations in one transaction (MigrationTransactionMode=all).</summary>
    public bool SingleTransaction { get; init; }

    /// <summary>Refuse migrations with destructive statements (configured databases without AllowDestructiveMigrations).</summary>
    public bool RefuseDestructive { get; init; }

    /// <summary>Told, after a successful run, every migration of the folder that the database has applied.</summary>
    public Action<IReadOnlyList<Migration>>? RecordApplied { get; init; }
}
