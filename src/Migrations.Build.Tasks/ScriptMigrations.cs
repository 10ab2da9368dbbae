using Microsoft.Build.Framework;
using Migrations.Build.Engine.Database;

namespace Migrations.Build.Tasks;

/// <summary>
/// MigrateScript: writes the SQL MigrateUp would run into one reviewable psql script: the migrations pending
/// against the database, or every migration above MigrationFrom (no database needed then).
/// </summary>
public sealed class ScriptMigrations : DatabaseTask
{
    /// <summary>MigrationFrom: script the migrations above this version without asking a database (0 = all).</summary>
    public string? From { get; set => field = Trim(value); }

    [Required]
    public string ScriptFile { get; set => field = Trim(value) ?? ""; } = "";

    [Output]
    public string? WrittenFile { get; private set; }

    protected override bool ExecuteCore()
    {
        if (!TryParseVersion("MigrationFrom", From, out var from)) return false;
        var set = LoadMigrations();
        if (set is null) return false;

        if (HistoryTableOrReport() is not { } history) return false;
        List<Engine.Migration> migrations;
        string source;
        if (from is not null)
        {
            migrations = set.Migrations.Where(m => m.Version > from).ToList();
            source = $"above version {from}";
        }
        else
        {
            var runner = CreateRunner(out var connection);
            var applied = runner?.HistoryAsync(() => set, Cancellation).GetAwaiter().GetResult();
            if (applied is null) return false;
            var done = applied.Select(a => a.Version).ToHashSet();
            migrations = set.Migrations.Where(m => !done.Contains(m.Version)).ToList();
            source = $"pending against {connection!.Description}";
        }

        var problems = migrations.SelectMany(m => MigrationScriptPlan.For(m.Up!).Problems).ToList();
        LogDiagnostics(problems);
        if (problems.Count > 0) return false;

        var path = Path.GetFullPath(ScriptFile);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, MigrationSqlScript.Write(history, migrations, source, DateTime.UtcNow), new System.Text.UTF8Encoding(false));
        WrittenFile = path;
        Log.LogMessage(MessageImportance.High, "Wrote {0} migration(s) ({1}) to {2}", migrations.Count, source, path);
        return true;
    }
}
