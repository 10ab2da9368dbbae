using Migrations.Build.Engine.Integrity;

namespace Migrations.Build.Engine.Linting;

/// <summary>
/// Which migrations the SQL warnings judge. A migration that has left the machine (on the mainline, or deployed)
/// can never change, so a warning on it is noise that buries the one on today's new migration: by default the
/// warnings judge only the migrations still local, plus every version from MigrationLintFrom on. Errors (what
/// would break an apply) are reported for every file.
/// </summary>
public sealed class LintScope
{
    private readonly HashSet<string> _quiet;

    private LintScope(HashSet<string> quietFiles, int quietMigrations)
    {
        _quiet = quietFiles;
        QuietMigrations = quietMigrations;
    }

    /// <summary>Every migration is judged.</summary>
    public static LintScope All { get; } = new([], 0);

    /// <param name="lintFrom">Versions from this one on are judged even if shipped (0: all); null: only local ones.</param>
    public static LintScope For(MigrationSet set, ShippedMigrations shipped, long? lintFrom)
    {
        var quiet = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var migration in set.Migrations)
        {
            if (lintFrom is { } from && migration.Version >= from) continue;
            // A migration is local while any of its files is: a new down script for a shipped up is judged with its pair.
            if (!Shipped(migration.Up) || !Shipped(migration.Down)) continue;
            count++;
            if (migration.Up is not null) quiet.Add(migration.Up.Path);
            if (migration.Down is not null) quiet.Add(migration.Down.Path);
        }
        return new LintScope(quiet, count);

        bool Shipped(MigrationScript? script) => script is null || shipped.Contains(script.FileName);
    }

    /// <summary>How many migrations had their warnings left out (errors still count).</summary>
    public int QuietMigrations { get; }

    /// <summary>The findings without the warnings on migrations outside the scope.</summary>
    public List<MigrationDiagnostic> Filter(IEnumerable<MigrationDiagnostic> findings) =>
        findings.Where(d => d.IsError || d.FilePath is null || !_quiet.Contains(d.FilePath)).ToList();
}
