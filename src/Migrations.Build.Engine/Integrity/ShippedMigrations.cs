using System.Text;

namespace Migrations.Build.Engine.Integrity;

/// <summary>
/// Which migration files have left this machine, and so must never change again: those on the mainline
/// (origin's default branch, else a local main or master: what deploys come from, see <see cref="FileAge"/>),
/// and those this machine applied to a database other than its local development one (recorded in a file under
/// obj/ by MigrateUp). Every other migration is still the developer's own: it may be edited, renamed or deleted,
/// and migrations.sum follows it. Outside git, or without a mainline, only the second rule applies.
/// </summary>
public sealed class ShippedMigrations
{
    private readonly HashSet<string> _onMainline;
    private readonly HashSet<string> _deployed;

    private ShippedMigrations(HashSet<string> onMainline, HashSet<string> deployed, string? mainline)
    {
        _onMainline = onMainline;
        _deployed = deployed;
        Mainline = mainline;
    }

    /// <summary>Nothing has shipped: every migration is local (tests, and folders outside any repository).</summary>
    public static ShippedMigrations None { get; } = new([], [], null);

    /// <summary>The mainline branch consulted (e.g. refs/remotes/origin/main), or null outside git or without one.</summary>
    public string? Mainline { get; }

    /// <summary>Whether the file (by name, in the migrations folder) has left this machine.</summary>
    public bool Contains(string fileName) => _onMainline.Contains(fileName) || _deployed.Contains(fileName);

    /// <summary>Why a file counts as shipped, for messages: "on the mainline (origin/main)" or "deployed from this machine".</summary>
    public string Why(string fileName) =>
        _onMainline.Contains(fileName) ? $"it is on the mainline ({ShortName(Mainline!)})" : "this machine applied it to a configured database";

    /// <summary>
    /// Reads the mainline's tree (one git call, plus the few that find the mainline) and the deploy record.
    /// </summary>
    /// <param name="deployRecord">The file MigrateUp writes (see <see cref="RecordDeployed"/>); null or missing: none.</param>
    public static ShippedMigrations Of(string directory, string? deployRecord)
    {
        var deployed = ReadRecord(deployRecord);
        if (!Directory.Exists(directory)) return new ShippedMigrations([], deployed, null);
        var mainline = FileAge.Mainline(directory);
        var onMainline = new HashSet<string>(StringComparer.Ordinal);
        if (mainline is not null && FileAge.Git(directory, "ls-tree", "-z", "--name-only", mainline, "./") is { } listing)
        {
            // Paths come relative to the folder; files of subfolders are not migrations.
            foreach (var name in listing.Split('\0', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!name.Contains('/')) onMainline.Add(name);
            }
        }
        return new ShippedMigrations(onMainline, deployed, mainline);
    }

    /// <summary>
    /// Adds the scripts of <paramref name="migrations"/> to the deploy record: they were applied to a database other
    /// than the local one, so from now on an edit to them is an error at build time too.
    /// </summary>
    public static void RecordDeployed(string deployRecord, IEnumerable<Migration> migrations)
    {
        var names = ReadRecord(deployRecord);
        var before = names.Count;
        foreach (var migration in migrations)
        {
            if (migration.Up is not null) names.Add(migration.Up.FileName);
            if (migration.Down is not null) names.Add(migration.Down.FileName);
        }
        if (names.Count == before) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(deployRecord))!);
        var lines = names.Order(StringComparer.Ordinal);
        File.WriteAllText(deployRecord,
            "# Migration files this machine applied to a configured database (MigrateUp); written by Migrations.Build.\n" +
            string.Join("\n", lines) + "\n", new UTF8Encoding(false));
    }

    private static HashSet<string> ReadRecord(string? path)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(path) || !File.Exists(path)) return names;
        foreach (var line in File.ReadAllLines(path))
        {
            var name = line.Trim();
            if (name.Length > 0 && !name.StartsWith('#')) names.Add(name);
        }
        return names;
    }

    private static string ShortName(string reference) =>
        reference.StartsWith("refs/remotes/", StringComparison.Ordinal) ? reference["refs/remotes/".Length..]
        : reference.StartsWith("refs/heads/", StringComparison.Ordinal) ? reference["refs/heads/".Length..]
        : reference;
}
