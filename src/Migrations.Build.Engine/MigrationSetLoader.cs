namespace Migrations.Build.Engine;

/// <summary>
/// Discovers the migration files of a folder and checks them as a set: names, layout, duplicate versions,
/// up/down pairing, encoding, empty scripts, padding and gaps. Reads each file once.
/// </summary>
public static class MigrationSetLoader
{
    private static readonly EnumerationOptions SqlFiles = new()
    {
        MatchCasing = MatchCasing.CaseInsensitive,
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
    };

    public static MigrationSet Load(MigrationSetOptions options)
    {
        var directory = Path.GetFullPath(options.Directory);
        var diagnostics = new List<MigrationDiagnostic>();

        if (!System.IO.Directory.Exists(directory))
        {
            if (options.DirectoryIsExplicit)
            {
                diagnostics.Add(new(DiagnosticCodes.DirectoryNotFound, DiagnosticSeverity.Error,
                    $"the migrations folder '{directory}' does not exist: create it, or set MigrationsDirectory to the folder that holds your migrations"));
            }
            return new MigrationSet(directory, options.Layout ?? MigrationLayout.Paired, VersionStyle.Sequential, [], diagnostics);
        }

        var parsed = ParseNames(directory, diagnostics);
        var layout = ResolveLayout(parsed, options.Layout, diagnostics);
        var scripts = parsed
            .Where(f => IsOfLayout(f.Name.Kind, layout))
            .Select(f => MigrationScript.Read(f.Path, f.Name))
            .ToList();

        CheckContent(scripts, diagnostics);
        var migrations = GroupIntoMigrations(scripts, layout, options.RequireDown, diagnostics);
        var style = VersionStyles.Detect(migrations.Select(m => m.PrimaryScript.Name).ToList());
        if (style == VersionStyle.Sequential)
        {
            VersionSequenceChecks.CheckPadding(migrations, diagnostics);
            VersionSequenceChecks.CheckGaps(migrations, diagnostics);
        }

        var set = new MigrationSet(directory, layout, style, migrations, diagnostics);
        if (options.CheckIntegrity)
        {
            var integrity = Integrity.MigrationSum.Check(set, options.Shipped);
            diagnostics.AddRange(integrity.Diagnostics);
            set.SumFollowed = integrity.Followed;
        }
        return set;
    }

    private static List<(string Path, MigrationFileName Name)> ParseNames(string directory, List<MigrationDiagnostic> diagnostics)
    {
        var files = System.IO.Directory.EnumerateFiles(directory, "*.sql", SqlFiles).ToList();
        files.Sort(StringComparer.Ordinal);
        var parsed = new List<(string, MigrationFileName)>(files.Count);
        foreach (var path in files)
        {
            if (MigrationFileName.TryParse(Path.GetFileName(path), out var name, out var problem))
            {
                parsed.Add((path, name!));
            }
            else
            {
                diagnostics.Add(AtFileStart(path, DiagnosticCodes.InvalidFileName, DiagnosticSeverity.Error,
                    $"'{Path.GetFileName(path)}' is not a migration file name: {problem}"));
            }
        }
        return parsed;
    }

    private static bool IsOfLayout(MigrationFileKind kind, MigrationLayout layout) =>
        layout == MigrationLayout.Paired ? kind != MigrationFileKind.ForwardOnly : kind == MigrationFileKind.ForwardOnly;

    /// <summary>
    /// The pinned layout, or the one most files use. Files of the other layout get MIG005 and are left out,
    /// so one stray file does not bury the folder under pairing errors.
    /// </summary>
    private static MigrationLayout ResolveLayout(
        List<(string Path, MigrationFileName Name)> files, MigrationLayout? pinned, List<MigrationDiagnostic> diagnostics)
    {
        var pairedCount = files.Count(f => f.Name.Kind != MigrationFileKind.ForwardOnly);
        var forwardCount = files.Count - pairedCount;
        var layout = pinned ?? (forwardCount > pairedCount ? MigrationLayout.ForwardOnly : MigrationLayout.Paired);

        if (pinned is null && (pairedCount == 0 || forwardCount == 0)) return layout;

        foreach (var (path, name) in files.Where(f => !IsOfLayout(f.Name.Kind, layout)))
        {
            var fileLayout = name.Kind == MigrationFileKind.ForwardOnly ? MigrationLayoutNames.ForwardOnly : MigrationLayoutNames.Paired;
            var message = pinned is not null
                ? $"'{Path.GetFileName(path)}' uses the {fileLayout} layout, but MigrationLayout is '{layout.ToSettingValue()}': rename it to match"
                : $"'{Path.GetFileName(path)}' uses the {fileLayout} layout, but this folder mixes layouts " +
                  $"({pairedCount} paired .up.sql/.down.sql files, {forwardCount} forward-only .sql files) and mostly uses " +
                  $"'{layout.ToSettingValue()}': rename it to match, or pin the layout with MigrationLayout";
            diagnostics.Add(AtFileStart(path, DiagnosticCodes.MixedLayouts, DiagnosticSeverity.Error, message));
        }
        return layout;
    }

    private static void CheckContent(List<MigrationScript> scripts, List<MigrationDiagnostic> diagnostics)
    {
        foreach (var script in scripts)
        {
            if (script.InvalidUtf8At is { } at)
            {
                diagnostics.Add(new(DiagnosticCodes.InvalidUtf8, DiagnosticSeverity.Error,
                    $"'{script.FileName}' is not valid UTF-8 (first invalid byte here): save it as UTF-8",
                    script.Path, at.Line, at.Column));
            }
            else if (script.IsBlank && script.Name.Kind == MigrationFileKind.Down)
            {
                diagnostics.Add(AtFileStart(script.Path, DiagnosticCodes.EmptyDownScript, DiagnosticSeverity.Warning,
                    $"down script '{script.FileName}' is empty: rolling back this migration will change nothing"));
            }
            else if (script.IsBlank)
            {
                diagnostics.Add(AtFileStart(script.Path, DiagnosticCodes.EmptyUpScript, DiagnosticSeverity.Error,
                    $"migration '{script.FileName}' is empty: write its SQL, or delete the file"));
            }
        }
    }

    private static List<Migration> GroupIntoMigrations(
        List<MigrationScript> scripts, MigrationLayout layout, bool requireDown, List<MigrationDiagnostic> diagnostics)
    {
        // Loops rather than LINQ's grouping and ordering by version: those are JIT-compiled in every fresh
        // build process, and a nothing-pending MigrateUp reads the folder while it waits for its connection.
        var byKey = new Dictionary<string, List<MigrationScript>>(StringComparer.Ordinal);
        var groups = new List<List<MigrationScript>>();
        foreach (var script in scripts)
        {
            if (!byKey.TryGetValue(script.Name.MigrationKey, out var group))
            {
                byKey.Add(script.Name.MigrationKey, group = []);
                groups.Add(group);
            }
            group.Add(script);
        }
        var migrations = new List<Migration>(groups.Count);
        foreach (var group in groups)
        {
            migrations.Add(new Migration(group[0].Name.Version, group[0].Name.Name,
                group.Find(s => s.Name.Kind != MigrationFileKind.Down), group.Find(s => s.Name.Kind == MigrationFileKind.Down)));
        }
        // No two migrations share both a version and a file name (that would be one key), so this order is total.
        migrations.Sort((a, b) => a.Version != b.Version ? a.Version.CompareTo(b.Version)
            : StringComparer.Ordinal.Compare(a.PrimaryScript.FileName, b.PrimaryScript.FileName));

        var result = new List<Migration>(migrations.Count);
        for (var start = 0; start < migrations.Count;)
        {
            var end = start + 1;
            while (end < migrations.Count && migrations[end].Version == migrations[start].Version) end++;
            if (end - start == 1)
            {
                result.Add(migrations[start]);
                start = end;
                continue;
            }
            // Two branches each added a migration: the oldest keeps the version, the newer ones are reported.
            var byAge = migrations.GetRange(start, end - start).Select(m => (Migration: m, Age: Integrity.FileAge.Of(m.PrimaryScript.Path)))
                .OrderBy(x => x.Age, Integrity.FileAge.OldestFirst).ToList();
            var (oldest, oldestAge) = byAge[0];
            result.Add(oldest);
            foreach (var (duplicate, age) in byAge.Skip(1))
            {
                diagnostics.Add(AtFileStart(duplicate.PrimaryScript.Path, DiagnosticCodes.DuplicateVersion, DiagnosticSeverity.Error,
                    $"version {duplicate.Version} is used twice: '{duplicate.PrimaryScript.FileName}' ({age.Describe()}) and " +
                    $"'{oldest.PrimaryScript.FileName}' ({oldestAge.Describe()}); '{duplicate.PrimaryScript.FileName}' is the newer one. " +
                    "Give it the next free version: dotnet msbuild -t:MigrateRenumber"));
            }
            start = end;
        }

        if (layout == MigrationLayout.Paired)
        {
            foreach (var migration in migrations)
            {
                if (migration.Up is null)
                {
                    diagnostics.Add(AtFileStart(migration.Down!.Path, DiagnosticCodes.MissingUpScript, DiagnosticSeverity.Error,
                        $"down script '{migration.Down.FileName}' has no up script: add '{migration}.up.sql' or delete it"));
                }
                else if (migration.Down is null && requireDown)
                {
                    diagnostics.Add(AtFileStart(migration.Up.Path, DiagnosticCodes.MissingDownScript, DiagnosticSeverity.Error,
                        $"up script '{migration.Up.FileName}' has no down script: add '{migration}.down.sql' " +
                        "(or set MigrationRequireDown=false if this project does not roll back)"));
                }
            }
        }

        return result;
    }

    internal static MigrationDiagnostic AtFileStart(string path, string code, DiagnosticSeverity severity, string message) =>
        new(code, severity, message, path, TextPosition.Start.Line, TextPosition.Start.Column);
}
