using System.Globalization;
using System.Text.RegularExpressions;

namespace Migrations.Build.Engine;

/// <summary>
/// The parts of a migration file name: <c>{version}_{name}.up.sql</c>, <c>{version}_{name}.down.sql</c>
/// or <c>{version}_{name}.sql</c>. The version is a positive integer of up to 19 digits (sequence numbers
/// and timestamps alike); the name is letters, digits, <c>_</c> and <c>-</c>.
/// </summary>
public sealed partial record MigrationFileName(long Version, string VersionText, string Name, MigrationFileKind Kind)
{
    public const int MaxVersionDigits = 19;

    /// <summary>
    /// The characters a migration's name may have, as a regex character class body. The one definition of a valid
    /// name: the file-name parser and MigrateCreate both use it, so a name one accepts the other does too.
    /// </summary>
    private const string NameCharacters = "A-Za-z0-9_-";

    /// <summary>The name rule in words, for messages.</summary>
    public const string NameRuleDescription = "letters, digits, '_' and '-'";

    [GeneratedRegex(@"^(?<version>[0-9]+)_(?<name>[" + NameCharacters + @"]+?)(?<kind>\.up|\.down)?\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^[" + NameCharacters + @"]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    /// <summary>Whether <paramref name="name"/> can be the name part of a migration file (its length aside).</summary>
    public static bool IsValidName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return NamePattern().IsMatch(name);
    }

    /// <summary>Leading zeros make the folder's width: "000042" has width 6.</summary>
    public int Width => VersionText.Length;

    /// <summary>Identity of the migration the file belongs to: its up and down share it.</summary>
    public string MigrationKey => VersionText + "_" + Name;

    public static bool TryParse(string fileName, out MigrationFileName? parsed, out string? problem)
    {
        parsed = null;
        var match = Pattern().Match(fileName);
        if (!match.Success)
        {
            problem = "expected '{version}_{name}.up.sql', '{version}_{name}.down.sql' or '{version}_{name}.sql', " +
                      $"where version is digits and name is {NameRuleDescription}";
            return false;
        }

        var versionText = match.Groups["version"].Value;
        if (versionText.Length > MaxVersionDigits ||
            !long.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            problem = $"version '{versionText}' is too large: at most {MaxVersionDigits} digits, up to {long.MaxValue}";
            return false;
        }

        if (version == 0)
        {
            problem = "version 0 is reserved for 'no migration applied': start at 1";
            return false;
        }

        var kind = match.Groups["kind"].Value switch
        {
            ".up" => MigrationFileKind.Up,
            ".down" => MigrationFileKind.Down,
            _ => MigrationFileKind.ForwardOnly,
        };
        parsed = new MigrationFileName(version, versionText, match.Groups["name"].Value, kind);
        problem = null;
        return true;
    }
}
