using System.Globalization;

namespace Migrations.Build.Engine.Integrity;

/// <summary>
/// Resolves branch collisions: where several migrations share a version, the oldest keeps it and each
/// newer one moves to the next free version above the highest, in the folder's width.
/// </summary>
public static class MigrationRenumberer
{
    public sealed record Move(Migration Migration, FileAge Age, string NewVersionText, IReadOnlyList<(string From, string To)> Files);

    /// <summary>What renumbering would do; reads the set's duplicate groups (they are not in set.Migrations but in the folder).</summary>
    public static IReadOnlyList<Move> Plan(string directory, MigrationLayout? layout)
    {
        var all = AllMigrations(directory, layout);
        var highest = all.Count == 0 ? 0 : all.Max(m => m.Version);
        var padded = all.Any(m => m.VersionText.StartsWith('0'));
        var width = all.Count == 0 ? 0 : all.Max(m => m.VersionText.Length);
        var moves = new List<Move>();
        foreach (var group in all.GroupBy(m => m.Version).Where(g => g.Count() > 1).OrderBy(g => g.Key))
        {
            var byAge = group.Select(m => (Migration: m, Age: FileAge.Of(m.PrimaryScript.Path))).OrderBy(x => x.Age, FileAge.OldestFirst).ToList();
            foreach (var (migration, age) in byAge.Skip(1))
            {
                highest++;
                var text = highest.ToString(CultureInfo.InvariantCulture);
                if (padded) text = text.PadLeft(width, '0');
                var files = new[] { migration.Up, migration.Down }.OfType<MigrationScript>()
                    .Select(s => (s.Path, Path.Combine(Path.GetDirectoryName(s.Path)!, text + s.FileName[s.Name.VersionText.Length..])))
                    .ToList();
                moves.Add(new Move(migration, age, text, files));
            }
        }
        return moves;
    }

    /// <summary>Renames the files of each move; never overwrites.</summary>
    public static void Apply(IReadOnlyList<Move> moves)
    {
        foreach (var move in moves)
        {
            foreach (var (from, to) in move.Files)
            {
                if (File.Exists(to)) throw new IOException($"'{to}' already exists: nothing more was renamed");
                File.Move(from, to);
            }
        }
    }

    /// <summary>
    /// Every well-named migration of the folder, duplicates included: the loader keeps only the first of
    /// each version, but renumbering needs them all.
    /// </summary>
    internal static List<Migration> AllMigrations(string directory, MigrationLayout? layout)
    {
        var set = MigrationSetLoader.Load(new MigrationSetOptions(directory) { Layout = layout });
        var scripts = Directory.Exists(set.Directory)
            ? Directory.EnumerateFiles(set.Directory, "*.sql")
                .Select(p => MigrationFileName.TryParse(Path.GetFileName(p), out var n, out _) ? MigrationScript.Read(p, n!) : null)
                .OfType<MigrationScript>()
                .Where(s => (s.Name.Kind == MigrationFileKind.ForwardOnly) == (set.Layout == MigrationLayout.ForwardOnly))
                .ToList()
            : [];
        return scripts
            .GroupBy(s => s.Name.MigrationKey, StringComparer.Ordinal)
            .Select(g => new Migration(g.First().Name.Version, g.First().Name.Name,
                g.FirstOrDefault(s => s.Name.Kind != MigrationFileKind.Down), g.FirstOrDefault(s => s.Name.Kind == MigrationFileKind.Down)))
            .OrderBy(m => m.Version).ThenBy(m => m.PrimaryScript.FileName, StringComparer.Ordinal)
            .ToList();
    }
}
