using System.Globalization;
using Microsoft.Build.Framework;
using Migrations.Build.Engine;
using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.Database.Fleet;

namespace Migrations.Build.Tasks;

/// <summary>
/// What MigrateUpAll and MigrateStatusAll share: the list of databases (file, query against the configured
/// database, or list of URLs), parallelism, failure policy, the folder read once, and the JSON report.
/// </summary>
public abstract class FleetTask : DatabaseTask
{
    /// <summary>MigrationDatabasesFile: one connection string or postgres:// URL per line, '#' comments.</summary>
    public string? DatabasesFile { get; set; }

    /// <summary>MigrationDatabasesQuery: run on the configured database, one connection string per row (first column).</summary>
    public string? DatabasesQuery { get; set; }

    /// <summary>MigrationDatabases: postgres:// URLs separated by ';' or white space (key=value strings need the file).</summary>
    public string? Databases { get; set; }

    public string? Parallelism { get; set; }

    /// <summary>stop (default) or continue.</summary>
    public string? OnFailure { get; set; }

    /// <summary>MigrationReportFile: where the JSON report goes (none when empty).</summary>
    public string? ReportFile { get; set; }

    /// <summary>Runs the operation over the databases.</summary>
    protected abstract FleetReport Run(FleetRunner runner, IReadOnlyList<FleetTarget> targets);

    /// <summary>The target's name, for messages.</summary>
    protected abstract string Operation { get; }

    protected override bool ExecuteCore()
    {
        var parallelism = FleetOptions.DefaultParallelism;
        if (!string.IsNullOrWhiteSpace(Parallelism) &&
            (!int.TryParse(Parallelism.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out parallelism) || parallelism < 1 || parallelism > FleetOptions.MaxParallelism))
        {
            Invalid($"MigrationParallelism '{Parallelism}' must be a whole number from 1 to {FleetOptions.MaxParallelism}");
            return false;
        }
        var onFailure = string.IsNullOrWhiteSpace(OnFailure) ? "stop" : OnFailure.Trim().ToLowerInvariant();
        if (onFailure is not ("stop" or "continue"))
        {
            Invalid($"MigrationOnFailure '{OnFailure}' must be 'stop' (start no other database once one failed) or 'continue'");
            return false;
        }
        if (ReadRunSettings() is not { } settings) return false;
        if (string.IsNullOrWhiteSpace(DatabasesFile) && string.IsNullOrWhiteSpace(DatabasesQuery) && string.IsNullOrWhiteSpace(Databases))
        {
            Invalid($"{Operation} needs the databases to run on: MigrationDatabasesFile (one connection string or postgres:// URL per line), " +
                    "MigrationDatabasesQuery (run on the database of MigrationConnectionString or its environment variable, one connection string per row) " +
                    "or MigrationDatabases (postgres:// URLs)");
            return false;
        }

        var targets = ReadTargets();
        // Read once for all databases, before any connects: a folder with errors runs nowhere.
        var set = LoadMigrations();
        if (targets is null || set is null) return false;
        if (targets.Count == 0)
        {
            LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.FleetListEmpty, DiagnosticSeverity.Warning,
                $"the list of databases is empty ({Sources()}): {Operation} ran on none"));
            return !Log.HasLoggedErrors;
        }

        Log.LogMessage(MessageImportance.High, "{0}: {1} database(s) from {2}, {3} at a time, history in {4}.{5}, MigrationOnFailure={6}.",
            Operation, targets.Count, Sources(), Math.Min(parallelism, targets.Count), settings.History.Schema, settings.History.Table, onFailure);
        var runner = new FleetRunner(targets, set, new TaskMigrationLog(this), new FleetOptions
        {
            Parallelism = parallelism,
            StopOnFailure = onFailure == "stop",
            NewRunner = settings.NewRunner,
        });
        var report = Run(runner, targets);
        Log.LogMessage(MessageImportance.High, "{0}: {1}", Operation, report.SummaryLine());
        if (!string.IsNullOrWhiteSpace(ReportFile))
        {
            var path = Path.GetFullPath(ReportFile);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, report.ToJson());
            Log.LogMessage(MessageImportance.High, "{0}: wrote the report to {1}", Operation, path);
        }
        if (!report.Succeeded)
        {
            var failed = report.Databases.Where(d => d.Failed).Select(d => d.Database).ToList();
            var notStarted = report.Summary.NotStarted;
            LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.FleetDatabasesFailed, DiagnosticSeverity.Error,
                $"{failed.Count} of {report.Databases.Count} database(s) failed: {string.Join(", ", failed.Take(10))}{(failed.Count > 10 ? ", …" : "")}" +
                (notStarted > 0 ? $"; {notStarted} not started (MigrationOnFailure=stop)" : "") +
                $". Fix them and run {Operation} again: databases with nothing pending are only checked"));
        }
        return report.Succeeded && !Log.HasLoggedErrors;
    }

    private string Sources() => string.Join(", ", new[]
    {
        string.IsNullOrWhiteSpace(DatabasesFile) ? null : Path.GetFileName(DatabasesFile),
        string.IsNullOrWhiteSpace(DatabasesQuery) ? null : "MigrationDatabasesQuery",
        string.IsNullOrWhiteSpace(Databases) ? null : "MigrationDatabases",
    }.Where(s => s is not null));

    /// <summary>Every source's databases, each once; null (errors logged) when any entry is unusable.</summary>
    private List<FleetTarget>? ReadTargets()
    {
        var problems = new List<MigrationDiagnostic>();
        var all = new List<FleetTarget>();
        if (!string.IsNullOrWhiteSpace(DatabasesFile)) all.AddRange(FleetList.FromFile(Path.GetFullPath(DatabasesFile), problems));
        if (!string.IsNullOrWhiteSpace(Databases))
        {
            var listed = FleetList.FromList(Databases.Split([';', ' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries), "MigrationDatabases", problems);
            if (listed.Any(t => t.Connection.HasPassword)) WarnPasswordInProperty("MigrationDatabases");
            all.AddRange(listed);
        }
        if (!string.IsNullOrWhiteSpace(DatabasesQuery))
        {
            var catalog = ResolveConfiguredConnection(out var invalid);
            if (catalog is null)
            {
                if (!invalid) Invalid($"MigrationDatabasesQuery runs on the catalog database: set MigrationConnectionString or the {VariableName} environment variable to it");
                return null;
            }
            try
            {
                all.AddRange(FleetList.FromQuery(catalog, DatabasesQuery, problems, Cancellation));
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                LogDiagnostic(DatabaseErrors.ToDiagnostic(e, catalog));
                return null;
            }
        }
        var distinct = FleetList.Distinct(all, problems);
        LogDiagnostics(problems);
        return problems.Any(p => p.IsError) ? null : distinct.ToList();
    }
}
