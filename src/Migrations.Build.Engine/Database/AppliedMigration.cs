namespace Migrations.Build.Engine.Database;

/// <summary>One row of the history table.</summary>
public sealed record AppliedMigration(
    long Version,
    string? Name,
    string? Checksum,
    DateTimeOffset? AppliedAt,
    int? ExecutionMs,
    bool Dirty);
