using System.Security.Cryptography;
using System.Text;

namespace Migrations.Build.Engine.Integrity;

/// <summary>
/// migrations.sum: a hash of every migration file and one over the whole set (the idea of Atlas's atlas.sum).
/// An edit to a recorded migration shows up at build time, and two branches that each add a migration
/// both change the set line and the end of the file, so git reports a merge conflict instead of letting
/// two migrations with one version slip through.
/// </summary>
public static class MigrationSum
{
    public const string FileName = "migrations.sum";
    private const string Header = "# migrations.sum: written by MigrateHash and MigrateCreate; do not edit by hand.";
    private const string SetPrefix = "set ";

    /// <summary>The file's lines for a set: header, set hash, then "file hash" per script in version order.</summary>
    public static IReadOnlyList<string> Lines(MigrationSet set)
    {
        var files = Scripts(set).Select(s => $"{s.FileName} {s.Checksum}").ToList();
        return [Header, SetPrefix + SetHash(files), .. files];
    }

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>Writes the sum of the set; returns false when the file already said exactly that.</summary>
    public static bool Write(MigrationSet set)
    {
        var path = PathIn(set.Directory);
        var content = string.Join("\n", Lines(set)) + "\n";
        if (File.Exists(path) && File.ReadAllText(path) == content) return false;
        Directory.CreateDirectory(set.Directory);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return true;
    }

    /// <summary>Compares the folder with its migrations.sum: edited, unrecorded and vanished files.</summary>
    public static IReadOnlyList<MigrationDiagnostic> Check(MigrationSet set)
    {
        var path = PathIn(set.Directory);
        var diagnostics = new List<MigrationDiagnostic>();
        if (!File.Exists(path))
        {
            if (set.Migrations.Count > 0)
            {
                diagnostics.Add(new(DiagnosticCodes.NoIntegrityFile, DiagnosticSeverity.Warning,
                    $"{FileName} is missing in {set.Directory}, so an edit to a migration that was already committed goes unnoticed: " +
                    "create it with dotnet msbuild -t:MigrateHash and commit it (or set MigrationIntegrityCheck=false)"));
            }
            return diagnostics;
        }

        var recorded = new Dictionary<string, (string Hash, int Line)>(StringComparer.Ordinal);
        var lines = File.ReadAllLines(path);
        string? recordedSetHash = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith("<<<<<<<", StringComparison.Ordinal) || line.StartsWith("=======", StringComparison.Ordinal) || line.StartsWith(">>>>>>>", StringComparison.Ordinal))
            {
                diagnostics.Add(new(DiagnosticCodes.IntegrityFileConflict, DiagnosticSeverity.Error,
                    $"{FileName} has a merge conflict: two branches added migrations. Resolve it by renumbering the newer migration " +
                    "(dotnet msbuild -t:MigrateRenumber), then write the file again (dotnet msbuild -t:MigrateHash)",
                    path, i + 1, 1));
                return diagnostics;
            }
            if (line.StartsWith(SetPrefix, StringComparison.Ordinal))
            {
                recordedSetHash = line[SetPrefix.Length..].Trim();
                continue;
            }
            var space = line.LastIndexOf(' ');
            if (space <= 0)
            {
                diagnostics.Add(new(DiagnosticCodes.IntegrityFileConflict, DiagnosticSeverity.Error,
                    $"{FileName} line {i + 1} is not 'file hash': it was edited by hand; write it again with dotnet msbuild -t:MigrateHash", path, i + 1, 1));
                continue;
            }
            recorded[line[..space]] = (line[(space + 1)..], i + 1);
        }

        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var script in Scripts(set))
        {
            present.Add(script.FileName);
            if (!recorded.TryGetValue(script.FileName, out var entry))
            {
                diagnostics.Add(MigrationSetLoader.AtFileStart(script.Path, DiagnosticCodes.MigrationNotInIntegrityFile, DiagnosticSeverity.Error,
                    $"'{script.FileName}' is not recorded in {FileName}: if you just added it, run dotnet msbuild -t:MigrateHash " +
                    "(MigrateCreate does this for you) and commit both"));
            }
            else if (entry.Hash != script.Checksum)
            {
                diagnostics.Add(MigrationSetLoader.AtFileStart(script.Path, DiagnosticCodes.MigrationChangedSinceRecorded, DiagnosticSeverity.Error,
                    $"migration {script.Name.VersionText} ('{script.FileName}') was changed after it was recorded in {FileName}: " +
                    "databases that already ran it will not run it again, so create a new migration for the change; " +
                    "if this change is deliberate (the migration never left your machine), run dotnet msbuild -t:MigrateHash"));
            }
        }
        foreach (var (file, (_, line)) in recorded.Where(r => !present.Contains(r.Key)))
        {
            diagnostics.Add(new(DiagnosticCodes.RecordedMigrationMissing, DiagnosticSeverity.Error,
                $"{FileName} records '{file}', which is not in {set.Directory} (or no longer a valid migration): restore it; " +
                "if it was removed on purpose, run dotnet msbuild -t:MigrateHash",
                path, line, 1));
        }
        if (diagnostics.Count == 0 && recordedSetHash is not null && recordedSetHash != SetHash(Lines(set).Skip(2).ToList()))
        {
            diagnostics.Add(new(DiagnosticCodes.IntegrityFileConflict, DiagnosticSeverity.Error,
                $"the set hash in {FileName} does not match its lines: the file was edited by hand or merged wrongly; write it again with dotnet msbuild -t:MigrateHash",
                path, 2, 1));
        }
        return diagnostics;
    }

    private static IEnumerable<MigrationScript> Scripts(MigrationSet set) =>
        set.Migrations.SelectMany(m => new[] { m.Up, m.Down }).OfType<MigrationScript>();

    private static string SetHash(IReadOnlyList<string> fileLines) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", fileLines)))).ToLowerInvariant();
}
