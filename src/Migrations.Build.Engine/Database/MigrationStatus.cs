using System.Text.Json;
using System.Text.Json.Serialization;

namespace Migrations.Build.Engine.Database;

/// <summary>What MigrateStatus reports: every applied and pending migration, with flags.</summary>
public sealed class MigrationStatus
{
    public required string Database { get; init; }
    public required string HistoryTable { get; init; }
    public long CurrentVersion { get; init; }

    /// <summary>Another run held the migration lock when the status was read: what is pending or dirty may be under way.</summary>
    public bool RunInProgress { get; init; }
    public required IReadOnlyList<Entry> Applied { get; init; }
    public required IReadOnlyList<Entry> Pending { get; init; }

    public sealed record Entry(
        long Version,
        string Name,
        [property: JsonPropertyName("appliedAt")] DateTimeOffset? AppliedAt,
        [property: JsonPropertyName("executionMs")] int? ExecutionMs,
        bool Dirty,
        [property: JsonPropertyName("fileMissing")] bool FileMissing,
        [property: JsonPropertyName("changed")] bool Changed,
        string? File,
        [property: JsonPropertyName("outOfOrder")] bool OutOfOrder = false);

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The seed's status view: applied with time and duration, then pending, then flags.</summary>
    public IEnumerable<string> ToLines()
    {
        yield return $"Database {Database}, history in {HistoryTable}, at version {CurrentVersion}.";
        if (RunInProgress) yield return "A migration run is in progress (it holds the migration lock): this is the state it has reached so far.";
        yield return Applied.Count == 0 ? "Applied migrations: none" : "Applied migrations:";
        foreach (var e in Applied)
        {
            var flags = string.Concat(
                e.Dirty ? RunInProgress ? "  DIRTY (being applied outside a transaction by the run in progress, or failed part-way)" : "  DIRTY (failed part-way: see MigrateForce)" : "",
                e.FileMissing ? "  FILE MISSING" : "",
                e.Changed ? "  CHANGED SINCE APPLIED" : "");
            var duration = e.ExecutionMs is null ? "" : $", {e.ExecutionMs} ms";
            var when = e.AppliedAt is { } at ? $"{at.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC" : "time not recorded";
            yield return $"  [applied] {e.Version}{(e.Name.Length == 0 ? "" : " " + e.Name)} ({when}{duration}){flags}";
        }
        yield return Pending.Count == 0 ? "Pending migrations: none" : "Pending migrations:";
        foreach (var e in Pending) yield return $"  [pending] {e.Version} {e.Name}" + (e.OutOfOrder ? $"  OUT OF ORDER (below applied version {CurrentVersion})" : "");
    }
}
