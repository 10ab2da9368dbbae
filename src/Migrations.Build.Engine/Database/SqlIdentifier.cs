using System.Text.RegularExpressions;

namespace Migrations.Build.Engine.Database;

/// <summary>Validates and quotes the schema and table names that users configure for the history table.</summary>
public static partial class SqlIdentifier
{
    // \z, not $: $ also matches before a final newline, which let "public\n" through.
    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_$]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Plain();

    /// <summary>Plain identifiers only: letters, digits, _ and $, at most 63 characters, as PostgreSQL keeps them.</summary>
    public static bool IsValid(string name) => Plain().IsMatch(name);

    /// <summary>
    /// A configured schema or table name as PostgreSQL would read it in SQL: surrounding whitespace dropped (MSBuild
    /// properties are often written over several lines), an unquoted name folded to lower case (Public is public, as
    /// in psql), a double-quoted one kept as written ("Public" is the schema Public). Either way only plain
    /// identifiers (letters, digits, _ and $, at most 63 characters). False when the value is not one.
    /// </summary>
    public static bool TryNormalize(string? value, out string name)
    {
        name = "";
        var trimmed = (value ?? "").Trim();
        if (trimmed.Length >= 2 && trimmed[0] == '"' && trimmed[^1] == '"')
        {
            var inner = trimmed[1..^1];
            if (!IsValid(inner)) return false;
            name = inner;
            return true;
        }
        if (!IsValid(trimmed)) return false;
        name = trimmed.ToLowerInvariant();
        return true;
    }

    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}
