using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Migrations.Build.Engine;
using Migrations.Build.Engine.Integrity;
using Migrations.Build.Engine.Linting;

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

    /// <summary>The deploy record (see ShippedMigrations): files MigrateUp applied to a configured database from this machine.</summary>
    public string? DeployRecord { get; set; }

    /// <summary>MigrationLintFrom: SQL warnings also for shipped migrations from this version on (0: all); empty: local ones only.</summary>
    public string? LintFrom { get; set; }

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
        long? lintFrom = null;
        if (!string.IsNullOrWhiteSpace(LintFrom))
        {
            if (!long.TryParse(LintFrom.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var from))
            {
                LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.InvalidSetting, DiagnosticSeverity.Error,
                    $"MigrationLintFrom '{LintFrom}' must be a migration version (0 lints every migration), or empty to lint only the migrations that have not left this machine"));
                return false;
            }
            lintFrom = from;
        }

        // One git look-up, shared by the sum (only asked when it disagrees with the folder) and the lint scope.
        var shipped = new Lazy<ShippedMigrations>(() => ShippedMigrations.Of(MigrationsDirectory, DeployRecord));
        var set = MigrationSetLoader.Load(new MigrationSetOptions(MigrationsDirectory)
        {
            DirectoryIsExplicit = DirectoryIsExplicit,
            Layout = layout,
            RequireDown = RequireDown,
            CheckIntegrity = CheckIntegrity,
            Shipped = () => shipped.Value,
        });
        if (set.SumFollowed.Count > 0)
        {
            Log.LogMessage(MessageImportance.High, "Updated {0} for migrations that have not left this machine: {1}.",
                MigrationSum.PathIn(set.Directory), string.Join(", ", set.SumFollowed));
        }
        var scope = lintFrom == 0 || set.Migrations.Count == 0 ? LintScope.All : LintScope.For(set, shipped.Value, lintFrom);
        var lint = scope.Filter(MigrationLinter.Lint(set, new LintOptions { RequireIfExists = RequireIfExists }));
        var diagnostics = set.Diagnostics.Concat(lint).ToList();
        LogDiagnostics(diagnostics);
        var suppressed = new HashSet<string>(SuppressedCodes.Select(c => c.Trim()), StringComparer.OrdinalIgnoreCase);
        ReportedWarnings = diagnostics.Any(d => !d.IsError && !suppressed.Contains(d.Code));
        var quiet = scope.QuietMigrations == 0 ? ""
            : $" SQL warnings judged the {set.Migrations.Count - scope.QuietMigrations} migration(s) that have not left this machine" +
              $"{(lintFrom is { } v ? $" or are at version {v} or later" : "")}; {scope.QuietMigrations} older one(s) were checked for errors only " +
              "(-p:MigrationLintFrom=0 lints them all).";
        Log.LogMessage(MessageImportance.High, "Validated {0} migration(s) in {1} ({2} layout).{3}",
            set.Migrations.Count, set.Directory, set.Layout.ToSettingValue(), quiet);
        return !Log.HasLoggedErrors;
    }
}
