using System.Text.Json.Serialization;

namespace Migrations.Build.Engine.Database.Fleet;

/// <summary>What happened to one database of a many-database run: one line of output, one entry of the report.</summary>
public sealed record DatabaseOutcome
{
    /// <summary>Host, port, database and user: <see cref="ConnectionSettings.Description"/>, never a password.</summary>
    public string Database { get; init; } = "";

    /// <summary>Where it was listed: "databases.txt line 3", "MigrationDatabasesQuery row 2".</summary>
    public string Origin { get; init; } = "";

    [JsonIgnore]
    public required FleetResult Result { get; init; }

    /// <summary>The result as the report spells it: applied, up-to-date, pending, failed, not-started.</summary>
    [JsonPropertyName("result")]
    public string ResultName => Result switch
    {
        FleetResult.Applied => "applied",
        FleetResult.UpToDate => "up-to-date",
        FleetResult.Pending => "pending",
        FleetResult.Failed => "failed",
        _ => "not-started",
    };

    /// <summary>Version before the run (null when the database could not be read).</summary>
    public long? VersionBefore { get; init; }

    /// <summary>Version after the run (null when unknown: it failed before reading, or part-way).</summary>
    public long? VersionAfter { get; init; }

    /// <summary>Migrations this run applied (MigrateUpAll).</summary>
    public int Applied { get; init; }

    /// <summary>Migrations still pending after the run, as far as known.</summary>
    public int? Pending { get; init; }

    public long ElapsedMs { get; init; }

    /// <summary>The errors reported for it (code and message, database-prefixed as printed).</summary>
    public IReadOnlyList<Problem> Errors { get; init; } = [];

    /// <summary>Why it was not started (MigrationOnFailure=stop after a failure, or the run was cancelled).</summary>
    public string? NotStartedBecause { get; init; }

    public sealed record Problem(string Code, string Message, string? File);

    [JsonIgnore]
    public bool Failed => Result == FleetResult.Failed;

    /// <summary>The line printed when it finishes: outcome word, database, detail.</summary>
    public string ToLine()
    {
        var detail = Result switch
        {
            FleetResult.Applied => $"applied {Applied} migration(s), now at version {VersionAfter}",
            FleetResult.UpToDate => $"up to date at version {VersionBefore}",
            FleetResult.Pending => $"{Pending} pending migration(s), at version {VersionBefore}",
            FleetResult.Failed => (Errors.Count == 0 ? "failed" : $"failed with {string.Join(", ", Errors.Select(e => e.Code).Distinct())}") +
                                  (VersionBefore is { } v ? $" (was at version {v}; see the errors above)" : " (see the errors above)"),
            FleetResult.NotStarted => $"not started: {NotStartedBecause ?? "an earlier database failed and MigrationOnFailure=stop"}",
            _ => Result.ToString(),
        };
        var time = Result == FleetResult.NotStarted ? "" : $" ({ElapsedMs} ms)";
        return $"{Word,-12}{Database}: {detail}{time}";
    }

    private string Word => Result switch
    {
        FleetResult.Applied => "applied",
        FleetResult.UpToDate => "up to date",
        FleetResult.Pending => "pending",
        FleetResult.Failed => "FAILED",
        FleetResult.NotStarted => "not started",
        _ => Result.ToString(),
    };
}

public enum FleetResult
{
    /// <summary>MigrateUpAll applied pending migrations.</summary>
    Applied,

    /// <summary>Nothing pending: only checked.</summary>
    UpToDate,

    /// <summary>MigrateStatusAll: migrations are pending.</summary>
    Pending,

    Failed,

    /// <summary>Not started: an earlier database failed under MigrationOnFailure=stop, or the run was cancelled.</summary>
    NotStarted,
}
