using System.Globalization;

namespace Migrations.Build.Tasks;

/// <summary>MigrateDown: rolls back the last MigrationSteps migrations, or down to MigrationTarget (0 = all).</summary>
public sealed class RollbackMigrations : DatabaseTask
{
    public string? Steps { get; set => field = Trim(value); }

    public string? Target { get; set => field = Trim(value); }

    protected override bool ExecuteCore()
    {
        if (!TryParseVersion("MigrationTarget", Target, out var target)) return false;
        var steps = 1;
        if (!string.IsNullOrWhiteSpace(Steps) && (!int.TryParse(Steps, NumberStyles.None, CultureInfo.InvariantCulture, out steps) || steps < 1))
        {
            Invalid($"MigrationSteps '{Steps}' must be a whole number of 1 or more");
            return false;
        }
        var runner = CreateRunnerOrReportFolder(out var connection);
        return runner is not null && runner.DownAsync(LoadMigrations, steps, target, RefuseDestructive(connection!), Cancellation).GetAwaiter().GetResult() && !Log.HasLoggedErrors;
    }
}
