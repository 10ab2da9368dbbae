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

    /// <summary>Compares the folder with its migrations.sum: every edited, unrecorded or vanished file is an error.</summary>
    public static IReadOnlyList<MigrationDiagnostic> Check(MigrationSet set) => Check(set, shipped: null).Diagnostics;

    /// <summary>What <see cref="Check(MigrationSet, Func{ShippedMigrations}?)"/> found, and what it brought up to date.</summary>
    /// <param name="Followed">One line per file whose entry was rewritten because it had not left this machine.</param>
    public sealed record Result(IReadOnlyList<MigrationDiagnostic> Diagnostics, IReadOnlyList<string> Followed);

    /// <summary>
    /// Compares the folder with its migrations.sum. With <paramref name="shipped"/>, the sum follows the migrations
    /// that have not left this machine (their edits, additions and removals are written into the file, which the
    /// developer commits with them), and only a change to one that has is an error; it is asked only when the
    /// folder and the file disagree, so an unchanged folder costs no git call. Without it, every change is an error.
    /// </summary>
    public static Result Check(MigrationSet set, Func<ShippedMigrations>? shipped)
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
            return new Result(diagnostics, []);
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
                return new Result(diagnostics, []);
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
        if (diagnostics.Count > 0) return new Result(diagnostics, []);

        var present = new HashSet<string>(StringComparer.Ordinal);
        var changed = new List<MigrationScript>();
        var added = new List<MigrationScript>();
        foreach (var script in Scripts(set))
        {
            present.Add(script.FileName);
            if (!recorded.TryGetValue(script.FileName, out var entry)) added.Add(script);
            else if (entry.Hash != script.Checksum) changed.Add(script);
        }
        var removed = recorded.Where(r => !present.Contains(r.Key)).Select(r => (File: r.Key, r.Value.Line)).ToList();
        var setHashWrong = recordedSetHash is not null && recordedSetHash != SetHash(Lines(set).Skip(2).ToList());
        if (changed.Count + added.Count + removed.Count == 0 && !setHashWrong) return new Result(diagnostics, []);

        var known = shipped?.Invoke();
        bool Local(string file) => known is not null && !known.Contains(file);
        foreach (var script in added.Where(s => !Local(s.FileName)))
        {
            diagnostics.Add(MigrationSetLoader.AtFileStart(script.Path, DiagnosticCodes.MigrationNotInIntegrityFile, DiagnosticSeverity.Error,
                $"'{script.FileName}' is not recorded in {FileName}" + (known is null
                    ? ": if you just added it, run dotnet msbuild -t:MigrateHash (MigrateCreate does this for you) and commit both"
                    : $", though {known.Why(script.FileName)}: run dotnet msbuild -t:MigrateHash and commit {FileName}")));
        }
        foreach (var script in changed.Where(s => !Local(s.FileName)))
        {
            diagnostics.Add(MigrationSetLoader.AtFileStart(script.Path, DiagnosticCodes.MigrationChangedSinceRecorded, DiagnosticSeverity.Error,
                $"migration {script.Name.VersionText} ('{script.FileName}') was changed after it was recorded in {FileName}" + (known is null
                    ? ": databases that already ran it will not run it again, so create a new migration for the change; " +
                      "if this change is deliberate (the migration never left your machine), run dotnet msbuild -t:MigrateHash"
                    : $", and {known.Why(script.FileName)}: databases that already ran it will not run it again. Put the file back as it was " +
                      "(git checkout) and create a new migration for the change")));
        }
        foreach (var (file, line) in removed.Where(r => !Local(r.File)))
        {
            diagnostics.Add(new(DiagnosticCodes.RecordedMigrationMissing, DiagnosticSeverity.Error,
                $"{FileName} records '{file}', which is not in {set.Directory} (or no longer a valid migration): restore it; " +
                "if it was removed on purpose, run dotnet msbuild -t:MigrateHash",
                path, line, 1));
        }
        if (known is null)
        {
            if (diagnostics.Count == 0 && setHashWrong)
            {
                diagnostics.Add(new(DiagnosticCodes.IntegrityFileConflict, DiagnosticSeverity.Error,
                    $"the set hash in {FileName} does not match its lines: the file was edited by hand or merged wrongly; write it again with dotnet msbuild -t:MigrateHash",
                    path, 2, 1));
            }
            return new Result(diagnostics, []);
        }

        // The local migrations' entries follow their files; a shipped file's entry keeps what was recorded, so its
        // error stays until the file is put back.
        var entries = new List<string>();
        foreach (var script in Scripts(set))
        {
            if (recorded.TryGetValue(script.FileName, out var entry) && entry.Hash != script.Checksum && !Local(script.FileName)) entries.Add($"{script.FileName} {entry.Hash}");
            else if (recorded.ContainsKey(script.FileName) || Local(script.FileName)) entries.Add($"{script.FileName} {script.Checksum}");
        }
        foreach (var (file, _) in removed.Where(r => !Local(r.File))) entries.Add($"{file} {recorded[file].Hash}");
        var content = string.Join("\n", [Header, SetPrefix + SetHash(entries), .. entries]) + "\n";
        if (File.ReadAllText(path) != content) File.WriteAllText(path, content, new UTF8Encoding(false));

        var followed = new List<string>();
        followed.AddRange(changed.Where(s => Local(s.FileName)).Select(s => $"{s.FileName} (edited)"));
        followed.AddRange(added.Where(s => Local(s.FileName)).Select(s => $"{s.FileName} (new)"));
        followed.AddRange(removed.Where(r => Local(r.File)).Select(r => $"{r.File} (removed)"));
        return new Result(diagnostics, followed);
    }

    private static IEnumerable<MigrationScript> Scripts(MigrationSet set) =>
        set.Migrations.SelectMany(m => new[] { m.Up, m.Down }).OfType<MigrationScript>();

    private static string SetHash(IReadOnlyList<string> fileLines) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", fileLines)))).ToLowerInvariant();
}
