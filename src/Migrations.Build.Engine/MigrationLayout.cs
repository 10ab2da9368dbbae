namespace Migrations.Build.Engine;

public enum MigrationLayout
{
    /// <summary><c>{version}_{name}.up.sql</c> with <c>{version}_{name}.down.sql</c> (golang-migrate style).</summary>
    Paired,

    /// <summary><c>{version}_{name}.sql</c>, no down scripts.</summary>
    ForwardOnly,
}

public static class MigrationLayoutNames
{
    public const string Paired = "paired";
    public const string ForwardOnly = "forward-only";

    public static string ToSettingValue(this MigrationLayout layout) =>
        layout == MigrationLayout.Paired ? Paired : ForwardOnly;

    /// <summary>Parses the <c>MigrationLayout</c> property: empty means "detect from the files".</summary>
    public static bool TryParse(string? value, out MigrationLayout? layout)
    {
        layout = null;
        var trimmed = value?.Trim() ?? "";
        if (trimmed.Length == 0) return true;
        if (trimmed.Equals(Paired, StringComparison.OrdinalIgnoreCase)) { layout = MigrationLayout.Paired; return true; }
        if (trimmed.Equals(ForwardOnly, StringComparison.OrdinalIgnoreCase)) { layout = MigrationLayout.ForwardOnly; return true; }
        return false;
    }
}
