namespace Migrations.Build.Engine.Database.Fleet;

/// <summary>One database of a many-database run, and where it was listed ("databases.txt line 3", "MigrationDatabasesQuery row 2").</summary>
public sealed record FleetTarget(ConnectionSettings Connection, string Origin)
{
    /// <summary>What makes two entries the same database: host, port and database name (not the user).</summary>
    public string Key =>
        $"{Connection.Builder.Host?.ToLowerInvariant()}:{Connection.Builder.Port}/{Connection.Builder.Database ?? Connection.Builder.Username}";
}
