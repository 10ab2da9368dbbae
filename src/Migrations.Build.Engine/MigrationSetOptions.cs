namespace Migrations.Build.Engine;

public sealed record MigrationSetOptions(string Directory)
{
    /// <summary>True when the user named the folder; then a missing folder is an error, not "nothing to do".</summary>
    public bool DirectoryIsExplicit { get; init; }

    /// <summary>Pinned layout, or null to detect it from the files.</summary>
    public MigrationLayout? Layout { get; init; }

    /// <summary>In the paired layout, an up script without a down script is an error.</summary>
    public bool RequireDown { get; init; } = true;

    /// <summary>Compare the files with migrations.sum (the build does; authoring and applying do not need to).</summary>
    public bool CheckIntegrity { get; init; }

    /// <summary>
    /// With <see cref="CheckIntegrity"/>: which migrations have left this machine, asked only when migrations.sum and
    /// the folder disagree. When set, the sum follows every other migration (written anew) and only a change to a
    /// shipped one is an error; when null, every change is.
    /// </summary>
    public Func<Integrity.ShippedMigrations>? Shipped { get; init; }
}
