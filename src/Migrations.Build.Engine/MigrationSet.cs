namespace Migrations.Build.Engine;

/// <summary>
/// The migrations of one folder as <see cref="MigrationSetLoader"/> found them: the well-formed ones in
/// version order, and every diagnostic about the folder. Files that a diagnostic excluded (unparsable
/// name, wrong layout) are not in <see cref="Migrations"/>.
/// </summary>
public sealed class MigrationSet
{
    public MigrationSet(
        string directory,
        MigrationLayout layout,
        VersionStyle versionStyle,
        IReadOnlyList<Migration> migrations,
        IReadOnlyList<MigrationDiagnostic> diagnostics)
    {
        Directory = directory;
        Layout = layout;
        VersionStyle = versionStyle;
        Migrations = migrations;
        Diagnostics = diagnostics;
    }

    public string Directory { get; }
    public MigrationLayout Layout { get; }
    public VersionStyle VersionStyle { get; }
    public IReadOnlyList<Migration> Migrations { get; }
    public IReadOnlyList<MigrationDiagnostic> Diagnostics { get; }

    /// <summary>Files whose migrations.sum entry was brought up to date on loading, as they have not left this machine.</summary>
    public IReadOnlyList<string> SumFollowed { get; internal set; } = [];

    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    /// <summary>Widest version text in the folder: new migrations keep it.</summary>
    public int VersionWidth => Migrations.Count == 0 ? 0 : Migrations.Max(m => m.VersionText.Length);

    /// <summary>
    /// <paramref name="version"/> as this folder writes versions: the migration's own text when the folder has it,
    /// else zero-padded to <see cref="VersionWidth"/> when the folder pads (3 is "000003" among "000001", "000002").
    /// </summary>
    public string VersionTextOf(long version)
    {
        foreach (var migration in Migrations)
            if (migration.Version == version) return migration.VersionText;
        var text = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Migrations.Any(m => m.VersionText.StartsWith('0')) ? text.PadLeft(VersionWidth, '0') : text;
    }

    public long HighestVersion => Migrations.Count == 0 ? 0 : Migrations[^1].Version;
}
