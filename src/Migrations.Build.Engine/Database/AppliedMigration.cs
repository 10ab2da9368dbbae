namespace Migrations.Build.Engine.Database;

/// <summary>One row of the history table.</summary>
public sealed record AppliedMigration(
    long Version,
    string? Name,
    string? Checksum,
    DateTimeOffset? AppliedAt,
    int? ExecutionMs,
    bool Dirty)
{
    /// <summary>"7 (add_users)", or "7" for a row without a name (one kept from a golang-migrate table).</summary>
    public string Label => string.IsNullOrEmpty(Name) ? Version.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Version} ({Name})";
}
