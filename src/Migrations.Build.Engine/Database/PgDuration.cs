using System.Globalization;
using System.Text.RegularExpressions;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// The durations of <c>MigrationStatementLockTimeout</c> and of the <c>-- migrate:lock-timeout</c> and
/// <c>-- migrate:statement-timeout</c> directives: a whole number with one of PostgreSQL's units (ms, s, min, h, d),
/// 0 for none. PostgreSQL keeps these timeouts in milliseconds in an int, hence the upper bound.
/// </summary>
public static partial class PgDuration
{
    /// <summary>PostgreSQL's limit for lock_timeout and statement_timeout: 2147483647 ms, about 24.8 days.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMilliseconds(int.MaxValue);

    public const string Units = "ms, s, min, h or d";

    [GeneratedRegex(@"\A([0-9]+)[ \t]*([A-Za-z]*)\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    /// <summary>
    /// Parses <paramref name="text"/> (already trimmed). A bare number is seconds when <paramref name="bareIsSeconds"/>
    /// (the properties, like MigrationLockTimeout), and refused otherwise (in SQL files PostgreSQL reads a bare
    /// number as milliseconds: a unit leaves no doubt). On failure <paramref name="error"/> says why, to follow "NAME 'value' ".
    /// </summary>
    public static bool TryParse(string text, bool bareIsSeconds, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        var match = Shape().Match(text);
        if (!match.Success)
        {
            error = $"must be a whole number with a unit ({Units}), such as 5s, 500ms or 10min; 0 for none";
            return false;
        }
        var unit = match.Groups[2].Value.ToLowerInvariant();
        long factor;
        switch (unit)
        {
            case "ms": factor = 1; break;
            case "s": factor = 1000; break;
            case "min": factor = 60_000; break;
            case "h": factor = 3_600_000; break;
            case "d": factor = 86_400_000; break;
            case "" when bareIsSeconds: factor = 1000; break;
            case "":
                error = $"needs a unit ({Units}), such as 5s: PostgreSQL would read a bare number as milliseconds";
                return false;
            default:
                error = $"must be a whole number with a unit ({Units}), such as 5s, 500ms or 10min; 0 for none: '{match.Groups[2].Value}' is not a unit";
                return false;
        }
        var digits = match.Groups[1].Value.TrimStart('0');
        if (digits.Length > 12 || long.Parse(digits.Length == 0 ? "0" : digits, CultureInfo.InvariantCulture) * factor > int.MaxValue)
        {
            error = $"is out of range: PostgreSQL keeps a timeout in milliseconds, from 0 (none) to {int.MaxValue} ms (24 days, 20 h, 31 min, 23 s)";
            return false;
        }
        value = TimeSpan.FromMilliseconds(long.Parse(digits.Length == 0 ? "0" : digits, CultureInfo.InvariantCulture) * factor);
        error = "";
        return true;
    }

    /// <summary>The value for SET: whole milliseconds, with the unit, so no session setting changes its meaning.</summary>
    public static string ToSql(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"'{(long)value.TotalMilliseconds}ms'");

    /// <summary>For messages: "5 s", "500 ms", "10 min", "none".</summary>
    public static string Describe(TimeSpan value)
    {
        var ms = (long)value.TotalMilliseconds;
        return ms == 0 ? "none"
            : ms % 60_000 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{ms / 60_000} min")
            : ms % 1000 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000} s")
            : string.Create(CultureInfo.InvariantCulture, $"{ms} ms");
    }
}
