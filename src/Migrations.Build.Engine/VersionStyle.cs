using System.Globalization;

namespace Migrations.Build.Engine;

/// <summary>
/// How a folder numbers its migrations: a sequence (1, 2, 3 or 000001, 000002) or timestamps
/// (20260211091500, or Unix seconds as golang-migrate's default). Gaps and padding only mean
/// something for sequences.
/// </summary>
public enum VersionStyle
{
    Sequential,
    Timestamp,
}

public static class VersionStyles
{
    private const long FirstUnixSecondsVersion = 1_000_000_000; // 2001-09-09: no sequence gets this far.
    private const long LastUnixSecondsVersion = 9_999_999_999;

    public static bool IsTimestamp(string versionText, long version)
    {
        if (versionText.StartsWith('0')) return false;
        return versionText.Length switch
        {
            14 => IsDate(versionText, "yyyyMMddHHmmss"),
            12 => IsDate(versionText, "yyyyMMddHHmm"),
            10 => version is >= FirstUnixSecondsVersion and <= LastUnixSecondsVersion,
            _ => false,
        };
    }

    /// <summary>A folder is timestamped when most of its versions are timestamps.</summary>
    public static VersionStyle Detect(IReadOnlyCollection<MigrationFileName> versions)
    {
        if (versions.Count == 0) return VersionStyle.Sequential;
        var timestamps = versions.Count(v => IsTimestamp(v.VersionText, v.Version));
        return timestamps * 2 > versions.Count ? VersionStyle.Timestamp : VersionStyle.Sequential;
    }

    private static bool IsDate(string text, string format) =>
        DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) &&
        date.Year is >= 1970 and <= 2200;
}
