using System.Text.RegularExpressions;

namespace Migrations.Build.Engine.Database;

/// <summary>Validates and quotes the schema and table names that users configure for the history table.</summary>
public static partial class SqlIdentifier
{
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_$]{0,62}$")]
    private static partial Regex Plain();

    /// <summary>Plain identifiers only: letters, digits, _ and $, at most 63 characters, as PostgreSQL keeps them.</summary>
    public static bool IsValid(string name) => Plain().IsMatch(name);

    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}
