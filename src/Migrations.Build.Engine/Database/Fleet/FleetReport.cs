using System.Text.Json;
using System.Text.Json.Serialization;

namespace Migrations.Build.Engine.Database.Fleet;

/// <summary>The outcome of a many-database run: the JSON report (MigrationReportFile) and the summary line.</summary>
public sealed class FleetReport
{
    /// <summary>"up" (MigrateUpAll) or "status" (MigrateStatusAll).</summary>
    public required string Operation { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public long ElapsedMs { get; init; }

    public int Parallelism { get; init; }

    /// <summary>"stop" or "continue".</summary>
    public required string OnFailure { get; init; }

    /// <summary>Migrations in the folder, and the highest version.</summary>
    public int Migrations { get; init; }

    public long LatestVersion { get; init; }

    public Counts Summary => new(
        Databases.Count,
        Databases.Count(d => d.Result == FleetResult.Applied),
        Databases.Count(d => d.Result == FleetResult.UpToDate),
        Databases.Count(d => d.Result == FleetResult.Pending),
        Databases.Count(d => d.Result == FleetResult.Failed),
        Databases.Count(d => d.Result == FleetResult.NotStarted));

    /// <summary>In the order they were listed.</summary>
    public required IReadOnlyList<DatabaseOutcome> Databases { get; init; }

    public sealed record Counts(int Total, int Applied, int UpToDate, int Pending, int Failed, int NotStarted);

    [JsonIgnore]
    public bool Succeeded => Databases.All(d => d.Result is FleetResult.Applied or FleetResult.UpToDate or FleetResult.Pending);

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string SummaryLine()
    {
        var s = Summary;
        var parts = Operation == "up"
            ? new[] { $"{s.Applied} applied", $"{s.UpToDate} up to date", $"{s.Failed} failed", $"{s.NotStarted} not started" }
            : new[] { $"{s.UpToDate} up to date", $"{s.Pending} with pending migrations", $"{s.Failed} failed", $"{s.NotStarted} not started" };
        return $"{s.Total} database(s) in {ElapsedMs} ms (parallelism {Parallelism}, MigrationOnFailure={OnFailure}): {string.Join(", ", parts)}.";
    }
}
