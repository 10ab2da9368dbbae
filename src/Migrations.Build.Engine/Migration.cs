namespace Migrations.Build.Engine;

/// <summary>
/// One migration: a version with its up script and, in the paired layout, its down script.
/// In the forward-only layout <see cref="Up"/> is the single file and <see cref="Down"/> is null.
/// </summary>
public sealed class Migration
{
    public Migration(long version, string name, MigrationScript? up, MigrationScript? down)
    {
        Version = version;
        Name = name;
        Up = up;
        Down = down;
    }

    public long Version { get; }
    public string Name { get; }
    public MigrationScript? Up { get; }
    public MigrationScript? Down { get; }

    /// <summary>The file diagnostics about the migration as a whole point at.</summary>
    public MigrationScript PrimaryScript => Up ?? Down!;

    public string VersionText => PrimaryScript.Name.VersionText;

    public override string ToString() => $"{VersionText}_{Name}";
}
