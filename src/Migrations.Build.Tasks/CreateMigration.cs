using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Migrations.Build.Engine;

namespace Migrations.Build.Tasks;

/// <summary>MigrateCreate: writes the next migration file(s) from a template.</summary>
public sealed class CreateMigration : Microsoft.Build.Utilities.Task
{
    [Required]
    public string MigrationsDirectory { get; set; } = "";

    public string? Name { get; set; }

    public string? Template { get; set; }

    public string? Layout { get; set; }

    /// <summary>Record the new files in migrations.sum (MigrationIntegrityCheck).</summary>
    public bool UpdateIntegrityFile { get; set; } = true;

    [Output]
    public ITaskItem[] CreatedFiles { get; private set; } = [];

    public override bool Execute()
    {
        if (!Log.TryParseLayout(Layout, out var layout)) return false;

        var result = MigrationCreator.Create(new MigrationSetOptions(MigrationsDirectory) { Layout = layout }, Name, Template, DateTime.UtcNow);
        Log.LogDiagnostics(result.Diagnostics);
        foreach (var path in result.CreatedPaths)
        {
            Log.LogMessage(MessageImportance.High, "Created {0}", path);
        }
        CreatedFiles = result.CreatedPaths.Select(p => (ITaskItem)new TaskItem(p)).ToArray();
        if (result.Succeeded && UpdateIntegrityFile)
        {
            var set = MigrationSetLoader.Load(new MigrationSetOptions(MigrationsDirectory) { Layout = layout });
            if (!set.HasErrors && Engine.Integrity.MigrationSum.Write(set))
            {
                Log.LogMessage(MessageImportance.High, "Updated {0}", Engine.Integrity.MigrationSum.PathIn(set.Directory));
            }
        }
        return result.Succeeded;
    }
}
