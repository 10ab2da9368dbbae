using Microsoft.Build.Framework;
using Migrations.Build.Engine;
using Migrations.Build.Engine.Integrity;

namespace Migrations.Build.Tasks;

/// <summary>MigrateHash: records every migration file's hash in migrations.sum.</summary>
public sealed class HashMigrations : MigrationsTask
{
    [Required]
    public string MigrationsDirectory { get; set; } = "";

    public string? Layout { get; set; }

    public bool RequireDown { get; set; } = true;

    public override bool Execute()
    {
        if (!TryParseLayout(Layout, out var layout)) return false;
        var set = MigrationSetLoader.Load(new MigrationSetOptions(MigrationsDirectory) { DirectoryIsExplicit = true, Layout = layout, RequireDown = RequireDown });
        if (set.HasErrors)
        {
            LogDiagnostics(set.Diagnostics.Where(d => d.IsError));
            Log.LogError("The migrations folder has errors: {0} was not written.", MigrationSum.FileName);
            return false;
        }
        var path = MigrationSum.PathIn(set.Directory);
        Log.LogMessage(MessageImportance.High, MigrationSum.Write(set)
            ? "Recorded {0} migration(s) in {1}: commit it with the migrations."
            : "{1} already records these {0} migration(s).", set.Migrations.Count, path);
        return true;
    }
}
