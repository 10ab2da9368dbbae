namespace Migrations.Build.Engine.LocalDatabase;

/// <summary>How <see cref="LocalPostgresCluster"/> finds, creates and runs its server. The defaults suit both uses.</summary>
public sealed record LocalPostgresOptions
{
    public static LocalPostgresOptions Default { get; } = new();

    /// <summary>The server binaries, or null to look them up with <see cref="PostgresBinaries.Require"/>.</summary>
    public PostgresBinaries? Binaries { get; init; }

    /// <summary>
    /// False (the default) turns off fsync and full-page writes: much faster, and a server crash loses nothing,
    /// but an OS crash or power loss can corrupt the cluster. Right for tests and a throwaway development
    /// database; set true to keep crash safety (only commits stay asynchronous). Applies when the cluster is created.
    /// </summary>
    public bool Durable { get; init; }

    /// <summary>The longest initdb, pg_ctl start or pg_ctl stop may take.</summary>
    public TimeSpan ToolTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for another process that is creating or starting the same cluster.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>The OS account that runs initdb and the server when this process is root (PostgreSQL refuses root).</summary>
    public string ServerOsUser { get; init; } = "postgres";
}
