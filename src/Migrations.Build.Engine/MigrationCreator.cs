using System.Globalization;
using System.Text;

namespace Migrations.Build.Engine;

/// <summary>
/// Writes the next migration file(s) in the folder's own style: same layout, same version width,
/// a timestamp where the folder uses timestamps.
/// </summary>
public static class MigrationCreator
{
    private const int MaxNameLength = 100;
    private const int DefaultPairedWidth = 6;       // golang-migrate's `create -seq -digits 6`
    private const int DefaultForwardOnlyWidth = 3;  // 001_initial.sql

    public sealed record Result(IReadOnlyList<string> CreatedPaths, IReadOnlyList<MigrationDiagnostic> Diagnostics)
    {
        public bool Succeeded => Diagnostics.Count == 0;
    }

    public static Result Create(MigrationSetOptions options, string? name, string? template, DateTime nowUtc)
    {
        name = name?.Trim() ?? "";
        template = string.IsNullOrWhiteSpace(template) ? MigrationTemplates.Default : template.Trim();

        if (name.Length == 0 || name.Length > MaxNameLength || !MigrationFileName.IsValidName(name))
        {
            return Failed(DiagnosticCodes.InvalidMigrationName,
                $"migration name '{name}' is not valid: use 1 to {MaxNameLength} {MigrationFileName.NameRuleDescription} " +
                "(the characters a migration file's name may have), " +
                "e.g. -p:MigrationName=add_agents_table");
        }
        if (!MigrationTemplates.Exists(template))
        {
            return Failed(DiagnosticCodes.UnknownTemplate,
                $"unknown migration template '{template}': use one of {string.Join(", ", MigrationTemplates.Names)}");
        }

        var set = MigrationSetLoader.Load(options with { DirectoryIsExplicit = false });
        var versionText = NextVersion(set, nowUtc, options.Layout);
        var (up, down) = MigrationTemplates.Render(template, name, nowUtc);
        var baseName = $"{versionText}_{name}";
        var files = set.Layout == MigrationLayout.Paired
            ? new[] { (Path.Combine(set.Directory, baseName + ".up.sql"), up), (Path.Combine(set.Directory, baseName + ".down.sql"), down!) }
            : new[] { (Path.Combine(set.Directory, baseName + ".sql"), up) };

        foreach (var (path, _) in files)
        {
            if (File.Exists(path))
            {
                return Failed(DiagnosticCodes.CannotCreateMigration, $"'{path}' already exists: nothing was written");
            }
        }

        Directory.CreateDirectory(set.Directory);
        var created = new List<string>();
        try
        {
            foreach (var (path, content) in files)
            {
                // CreateNew: never overwrite a file that appeared since the check above.
                using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                var bytes = new UTF8Encoding(false).GetBytes(content);
                stream.Write(bytes);
                created.Add(path);
            }
        }
        catch (IOException e)
        {
            foreach (var path in created) File.Delete(path);
            return Failed(DiagnosticCodes.CannotCreateMigration, $"could not write the migration: {e.Message}; nothing was written");
        }

        return new Result(created, []);
    }

    /// <summary>
    /// Timestamp folders get the current UTC time in their own format (but always above the highest version);
    /// sequence folders get highest + 1, padded to the folder's width.
    /// </summary>
    internal static string NextVersion(MigrationSet set, DateTime nowUtc, MigrationLayout? pinnedLayout)
    {
        var highest = set.Migrations.Count == 0 ? null : set.Migrations[^1];
        if (highest is null)
        {
            var width = (pinnedLayout ?? set.Layout) == MigrationLayout.ForwardOnly ? DefaultForwardOnlyWidth : DefaultPairedWidth;
            return "1".PadLeft(width, '0');
        }

        if (set.VersionStyle == VersionStyle.Timestamp)
        {
            var candidate = highest.VersionText.Length switch
            {
                14 => nowUtc.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture),
                12 => nowUtc.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture),
                _ => new DateTimeOffset(nowUtc, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            };
            var value = long.Parse(candidate, CultureInfo.InvariantCulture);
            return value > highest.Version ? candidate : (highest.Version + 1).ToString(CultureInfo.InvariantCulture);
        }

        return set.VersionTextOf(highest.Version + 1);
    }

    private static Result Failed(string code, string message) =>
        new([], [new MigrationDiagnostic(code, DiagnosticSeverity.Error, message)]);
}
