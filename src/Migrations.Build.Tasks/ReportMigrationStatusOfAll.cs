using Migrations.Build.Engine.Database.Fleet;

namespace Migrations.Build.Tasks;

/// <summary>MigrateStatusAll: each listed database's version and pending count, changing nothing; optionally a deploy gate.</summary>
public sealed class ReportMigrationStatusOfAll : FleetTask
{
    public bool FailOnPending { get; set; }

    protected override string Operation => "MigrateStatusAll";

    protected override FleetReport Run(FleetRunner runner, IReadOnlyList<FleetTarget> targets) => runner.Status(FailOnPending, Cancellation);
}
