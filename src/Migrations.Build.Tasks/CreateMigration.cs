using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Migrations.Build.Engine;

namespace Migrations.Build.Tasks;

/// <summary>MigrateCreate: writes the next migration file(s) from a template.</summary>
public sealed class CreateMigration : MigrationsTask
{
    [Required]
    public string MigrationsDirectory { get; set; } = "";

    public string? Name { get; set; }

    public string? Template { get; set; }

    public string? Layout { get; set; }

    public bool RequireDown { get; set; } = true;

    /// <summary>Record the new files in migrations.sum (MigrationIntegrityCheck).</summary>
    public bool UpdateIntegrityFile { get; set; } = true;

    [Output]
    public ITaskItem[] CreatedFiles { get; private set; } = [];

    public override bool Execute()
    {
        if (!TryParseLayout(Layout, out var layout)) return false;

        var options = new MigrationSetOptions(MigrationsDirectory) { Layout = layout, RequireDown = RequireDown };
        var updateSum = UpdateIntegrityFile && IntegrityFileUpdate.MayRewrite(this, options);
        var result = MigrationCreator.Create(options, Name, Template, DateTime.UtcNow);
        LogDiagnostics(result.Diagnostics);
        foreach (var path in result.CreatedPaths)
        {
            Log.LogMessage(MessageImportance.High, "Created {0}", path);
        }
        CreatedFiles = result.CreatedPaths.Select(p => (ITaskItem)new TaskItem(p)).ToArray();
        if (result.Succeeded && updateSum) IntegrityFileUpdate.Write(this, options);
        return result.Succeeded;
    }
}
