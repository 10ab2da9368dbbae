using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Migrations.Build.Engine;

namespace Migrations.Build.Tasks;

/// <summary>Checks the migrations folder and reports every problem as a canonical MSBuild diagnostic.</summary>
public sealed class ValidateMigrations : MigrationsTask
{
    [Required]
    public string MigrationsDirectory { get; set; } = "";

    public bool DirectoryIsExplicit { get; set; }

    public string? Layout { get; set; }

    public bool RequireDown { get; set; } = true;

    /// <summary>Compare the files with migrations.sum (MigrationIntegrityCheck).</summary>
    public bool CheckIntegrity { get; set; } = true;

    /// <summary>MigrationRequireIfExists: CREATE without IF NOT EXISTS and DROP without IF EXISTS are warnings (MIG117).</summary>
    public bool RequireIfExists { get; set; }

    /// <summary>Codes the project suppresses (NoWarn): they do not count as reported warnings.</summary>
    public string[] SuppressedCodes { get; set; } = [];

    /// <summary>
    /// True when a warning was shown. The targets then write no up-to-date stamp, so warnings stay
    /// visible on every build until they are fixed or suppressed, instead of vanishing on the next one.
    /// </summary>
    [Output]
    public bool ReportedWarnings { get; private set; }

    public override bool Execute()
    {
        if (!TryParseLayout(Layout, out var layout)) return false;

        var set = MigrationSetLoader.Load(new MigrationSetOptions(MigrationsDirectory)
        {
            DirectoryIsExplicit = DirectoryIsExplicit,
            Layout = layout,
            RequireDown = RequireDown,
            CheckIntegrity = CheckIntegrity,
        });
        var lint = Engine.Linting.MigrationLinter.Lint(set, new Engine.Linting.LintOptions { RequireIfExists = RequireIfExists });
        var diagnostics = set.Diagnostics.Concat(lint).ToList();
        LogDiagnostics(diagnostics);
        var suppressed = new HashSet<string>(SuppressedCodes.Select(c => c.Trim()), StringComparer.OrdinalIgnoreCase);
        ReportedWarnings = diagnostics.Any(d => !d.IsError && !suppressed.Contains(d.Code));
        Log.LogMessage(MessageImportance.High, "Validated {0} migration(s) in {1} ({2} layout).",
            set.Migrations.Count, set.Directory, set.Layout.ToSettingValue());
        return !Log.HasLoggedErrors;
    }
}
