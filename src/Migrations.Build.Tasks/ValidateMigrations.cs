using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Migrations.Build.Engine;

namespace Migrations.Build.Tasks;

/// <summary>Checks the migrations folder and reports every problem as a canonical MSBuild diagnostic.</summary>
public sealed class ValidateMigrations : Microsoft.Build.Utilities.Task
{
    [Required]
    public string MigrationsDirectory { get; set; } = "";

    public bool DirectoryIsExplicit { get; set; }

    public string? Layout { get; set; }

    public bool RequireDown { get; set; } = true;

    /// <summary>How many migrations the folder holds, for the summary line.</summary>
    [Output]
    public int MigrationCount { get; private set; }

    public override bool Execute()
    {
        if (!Log.TryParseLayout(Layout, out var layout)) return false;

        var set = MigrationSetLoader.Load(new MigrationSetOptions(MigrationsDirectory)
        {
            DirectoryIsExplicit = DirectoryIsExplicit,
            Layout = layout,
            RequireDown = RequireDown,
        });
        Log.LogDiagnostics(set.Diagnostics);
        MigrationCount = set.Migrations.Count;
        Log.LogMessage(MessageImportance.Normal, "Validated {0} migration(s) in {1} ({2} layout).",
            set.Migrations.Count, set.Directory, set.Layout.ToSettingValue());
        return !Log.HasLoggedErrors;
    }
}
