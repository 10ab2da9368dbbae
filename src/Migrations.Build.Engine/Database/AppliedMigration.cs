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
    public string Label => LabelOf(Version, Name);

    public static string LabelOf(long version, string? name) =>
        string.IsNullOrEmpty(name) ? version.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{version} ({name})";
}
