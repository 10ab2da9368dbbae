using System.Globalization;
using Microsoft.Build.Framework;
using Migrations.Build.Engine;
using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.LocalDatabase;

namespace Migrations.Build.Tasks;

/// <summary>
/// What every database task shares: loading the migrations (refusing a folder with errors), finding the
/// database (property, environment variable read here so it never passes through MSBuild, or the local
/// development database) and building the runner. Subclasses only call the engine and map the result.
/// </summary>
public abstract class DatabaseTask : MigrationsTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancel = new();

    // Every string property is trimmed as it is set: MSBuild keeps the whitespace of a property written over several
    // lines (<MigrationsSchema>public
    // </MigrationsSchema> is "public\n"), which nobody means as part of a name, a number or a connection string.

    [Required]
    public string MigrationsDirectory { get; set => field = Trim(value) ?? ""; } = "";

    public bool DirectoryIsExplicit { get; set; }

    public string? Layout { get; set => field = Trim(value); }

    public bool RequireDown { get; set; } = true;

    /// <summary>MigrationConnectionString. MSBuild logs property values, hence the warning when it holds a password.</summary>
    public string? ConnectionString { get; set => field = Trim(value); }

    /// <summary>Name of the environment variable holding the connection string (the task reads it itself).</summary>
    public string? ConnectionStringVariable { get; set => field = Trim(value); }

    /// <summary>Where the local development database lives when no connection is configured.</summary>
    public string? LocalDatabaseDirectory { get; set => field = Trim(value); }

    /// <summary>MigrationsSchema as written: folded to lower case unless double-quoted (<see cref="SqlIdentifier.TryNormalize"/>).</summary>
    public string Schema { get; set => field = Trim(value) ?? ""; } = "public";

    public string Table { get; set => field = Trim(value) ?? ""; } = "schema_migrations";

    public string LockTimeoutSeconds { get; set => field = Trim(value) ?? ""; } = "60";

    /// <summary>MigrationStatementLockTimeout: how long a migration's statement waits for a lock (seconds, or 500ms, 5s, 1min…; 0: forever).</summary>
    public string? StatementLockTimeout { get; set => field = Trim(value); }

    /// <summary>MigrationLockRetries: how often a transactional migration that hit its lock timeout is run again.</summary>
    public string? LockRetries { get; set => field = Trim(value); }

    /// <summary>MigrationIntegrityCheck: the folder must agree with migrations.sum, as at build time (which the sum follows for local migrations).</summary>
    public bool CheckIntegrity { get; set; }

    /// <summary>Where MigrateUp records the files it applied to a configured database: from then on they count as shipped.</summary>
    public string? DeployRecord { get; set => field = Trim(value); }

    /// <summary>MigrationProgressInterval: seconds between "still running" lines for a long statement (0: none).</summary>
    public string? ProgressIntervalSeconds { get; set => field = Trim(value); }

    /// <summary>AllowDestructiveMigrations: without it, destructive statements are refused against a configured database.</summary>
    public bool AllowDestructive { get; set; }

    protected static string? Trim(string? value) => value?.Trim();

    /// <summary>Most seconds MigrationLockTimeout takes: about 24 days, as for PostgreSQL's own timeouts.</summary>
    public const int MaxLockTimeoutSeconds = int.MaxValue / 1000;

    /// <summary>Most retries MigrationLockRetries takes: the pauses double, and 10 already add up to 17 minutes.</summary>
    public const int MaxLockRetries = 10;

    /// <summary>The history table the properties name, folded as PostgreSQL would; null (with MIG012 logged) when they are not plain names.</summary>
    protected HistoryTable? HistoryTableOrReport()
    {
        if (!SqlIdentifier.TryNormalize(Schema, out var schema) || !SqlIdentifier.TryNormalize(Table, out var table))
        {
            Invalid($"MigrationsSchema '{Schema}' and MigrationsTable '{Table}' must be plain identifiers: a letter or '_', then letters, digits, '_' or '$', " +
                    "at most 63 characters; unquoted they are folded to lower case, as PostgreSQL does, and \"Quoted\" they keep their case");
            return null;
        }
        var written = (Schema.Trim('"'), Table.Trim('"'));
        return new HistoryTable(schema, table) { AsWritten = written != (schema, table) ? written : null };
    }

    protected CancellationToken Cancellation => _cancel.Token;

    public void Cancel() => _cancel.Cancel();

    public override bool Execute()
    {
        try
        {
            return ExecuteCore();
        }
        catch (OperationCanceledException)
        {
            // Cancelled outside a migration's SQL (connecting, waiting for the lock, between migrations).
            LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.RunCancelled, DiagnosticSeverity.Error,
                "the run was cancelled between migrations: the ones reported above are committed, no other was started"));
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything the engine did not foresee: a coded error instead of MSBuild's "task failed unexpectedly".
            LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.DatabaseError, DiagnosticSeverity.Error,
                $"unexpected {e.GetType().Name}: {e.Message}"));
            Log.LogMessage(MessageImportance.Low, "{0}", e.ToString());
            return false;
        }
    }

    protected abstract bool ExecuteCore();

    private bool _loaded;
    private MigrationSet? _migrations;

    /// <summary>The migrations, or null (with errors logged) when the folder has errors: nothing runs then. Read once.</summary>
    protected MigrationSet? LoadMigrations()
    {
        if (_loaded) return _migrations;
        _loaded = true;
        return _migrations = ReadMigrations();
    }

    private MigrationSet? ReadMigrations()
    {
        if (!TryParseLayout(Layout, out var layout)) return null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var set = MigrationSetLoader.Load(new MigrationSetOptions(MigrationsDirectory)
        {
            DirectoryIsExplicit = DirectoryIsExplicit,
            Layout = layout,
            RequireDown = RequireDown,
            // As the build checks it: nothing is applied that the next build would reject.
            CheckIntegrity = CheckIntegrity,
            Shipped = () => Engine.Integrity.ShippedMigrations.Of(MigrationsDirectory, DeployRecord),
        });
        if (set.SumFollowed.Count > 0)
        {
            Log.LogMessage(MessageImportance.High, "Updated {0} for migrations that have not left this machine: {1}.",
                Engine.Integrity.MigrationSum.PathIn(set.Directory), string.Join(", ", set.SumFollowed));
        }
        Log.LogMessage(MessageImportance.Low, "Loaded {0} migration(s) from {1} in {2} ms.", set.Migrations.Count, set.Directory, clock.ElapsedMilliseconds);
        if (!set.HasErrors) return set;
        LogDiagnostics(set.Diagnostics.Where(d => d.IsError));
        // The coded errors above fail the task; this says what that means, without an uncoded error of its own.
        Log.LogMessage(MessageImportance.High, "The migrations folder has errors: nothing was run against the database.");
        return null;
    }

    /// <summary>
    /// A runner for the configured database, or for the local one only if it was created before; null (and
    /// no error) when there is neither: for tasks that consult a database when there is one.
    /// </summary>
    protected MigrationRunner? CreateRunnerForExistingDatabase(out ConnectionSettings? connection)
    {
        connection = null;
        var configured = !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(VariableName));
        if (!configured && (string.IsNullOrWhiteSpace(LocalDatabaseDirectory) || !Directory.Exists(LocalDatabaseDirectory))) return null;
        return CreateRunner(out connection);
    }

    /// <summary>
    /// For tasks that hand <see cref="LoadMigrations"/> to the runner, which reads the folder while it connects.
    /// Without a runner (a bad setting, no database) the folder is still read, so its own errors are reported too.
    /// </summary>
    protected MigrationRunner? CreateRunnerOrReportFolder(out ConnectionSettings? connection)
    {
        var runner = CreateRunner(out connection);
        if (runner is null) LoadMigrations();
        return runner;
    }

    protected MigrationRunner? CreateRunner(out ConnectionSettings? connection)
    {
        connection = null;
        if (ReadRunSettings() is not { } settings) return null;
        connection = ResolveConnection();
        if (connection is null) return null;
        Log.LogMessage(MessageImportance.High, "Migrations: {0} (from {1}), history in {2}", connection.Description, connection.Source, settings.History.DisplayName);
        return settings.NewRunner(connection, new TaskMigrationLog(this));
    }

    /// <summary>Everything a runner takes besides the connection and the log, read from the properties and checked.</summary>
    protected sealed record RunSettings(HistoryTable History, TimeSpan LockTimeout, TimeSpan ProgressInterval, TimeSpan? StatementLockTimeout, int LockRetries)
    {
        public MigrationRunner NewRunner(ConnectionSettings connection, IMigrationLog log) =>
            new(connection, History, log, LockTimeout, ProgressInterval) { StatementLockTimeout = StatementLockTimeout, LockRetries = LockRetries };
    }

    /// <summary>The run settings, or null (with MIG012 logged) when a property is invalid.</summary>
    protected RunSettings? ReadRunSettings()
    {
        if (HistoryTableOrReport() is not { } history) return null;
        if (!long.TryParse(LockTimeoutSeconds, NumberStyles.None, CultureInfo.InvariantCulture, out var lockSeconds))
        {
            Invalid($"MigrationLockTimeout '{LockTimeoutSeconds}' must be a whole number of seconds, from 0 to {MaxLockTimeoutSeconds}");
            return null;
        }
        if (lockSeconds > MaxLockTimeoutSeconds)
        {
            Invalid($"MigrationLockTimeout '{LockTimeoutSeconds}' is out of range: it is in seconds, from 0 to {MaxLockTimeoutSeconds} (about 24 days)");
            return null;
        }
        TimeSpan? statementLockTimeout = null;
        if (!string.IsNullOrEmpty(StatementLockTimeout))
        {
            if (!PgDuration.TryParse(StatementLockTimeout, bareIsSeconds: true, out var parsed, out var error))
            {
                Invalid($"MigrationStatementLockTimeout '{StatementLockTimeout}' {error}");
                return null;
            }
            // 0 is set as 0, PostgreSQL's "wait forever", even where the server or role sets a lock_timeout; empty: the session's own.
            statementLockTimeout = parsed;
        }
        var lockRetries = MigrationRunner.DefaultLockRetries;
        if (!string.IsNullOrEmpty(LockRetries) &&
            (!int.TryParse(LockRetries, NumberStyles.None, CultureInfo.InvariantCulture, out lockRetries) || lockRetries > MaxLockRetries))
        {
            Invalid($"MigrationLockRetries '{LockRetries}' must be a whole number from 0 (fail at the first lock timeout) to {MaxLockRetries}");
            return null;
        }
        var progressSeconds = (int)MigrationRunner.DefaultProgressInterval.TotalSeconds;
        if (!string.IsNullOrWhiteSpace(ProgressIntervalSeconds) &&
            (!int.TryParse(ProgressIntervalSeconds.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out progressSeconds) || progressSeconds > 86400))
        {
            Invalid($"MigrationProgressInterval '{ProgressIntervalSeconds}' must be a whole number of seconds from 0 (no progress lines) to 86400");
            return null;
        }
        return new RunSettings(history, TimeSpan.FromSeconds(lockSeconds), TimeSpan.FromSeconds(progressSeconds), statementLockTimeout, lockRetries);
    }

    /// <summary>The destructive-statement gate: on for configured databases unless allowed, off for the local one.</summary>
    protected bool RefuseDestructive(ConnectionSettings connection) => !AllowDestructive && !connection.IsLocal;

    /// <summary>MigrationTransactionMode: true for 'all' (one transaction), false for 'per-migration' (the default); null (with MIG012) otherwise.</summary>
    protected bool? ParseSingleTransaction(string? value)
    {
        var mode = string.IsNullOrWhiteSpace(value) ? "per-migration" : value.Trim().ToLowerInvariant();
        if (mode is "per-migration" or "all") return mode == "all";
        Invalid($"MigrationTransactionMode '{value}' must be 'per-migration' or 'all'");
        return null;
    }

    /// <summary>Parses an optional version property (MigrationTarget, MigrationVersion).</summary>
    protected bool TryParseVersion(string propertyName, string? value, out long? version)
    {
        version = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        if (long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            version = parsed;
            return true;
        }
        Invalid($"{propertyName} '{value}' must be a migration version: a whole number such as 3 or 20260211091500");
        return false;
    }

    protected void Invalid(string message) =>
        LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.InvalidSetting, DiagnosticSeverity.Error, message));

    private ConnectionSettings? ResolveConnection()
    {
        var configured = ResolveConfiguredConnection(out var invalid);
        if (configured is not null || invalid) return configured;
        return StartLocalDatabase();
    }

    /// <summary>
    /// The database of MigrationConnectionString or the environment variable, never the local one; null when
    /// neither is set, or (with <paramref name="invalid"/> set and the error logged) when the setting is not valid.
    /// </summary>
    protected ConnectionSettings? ResolveConfiguredConnection(out bool invalid)
    {
        invalid = true;
        try
        {
            if (!string.IsNullOrWhiteSpace(ConnectionString))
            {
                if (KeysSplitOffByCommandLine() is { Count: > 0 } split)
                {
                    // Named, never shown: their values may include the password.
                    Invalid($"MigrationConnectionString was cut at its first ';' by MSBuild, which splits a -p: value at ';': " +
                            $"{string.Join(", ", split)} became properties of their own, and the connection would go to the wrong place. " +
                            "Keep the ';' in the value: quote it so the double quotes reach MSBuild ('-p:MigrationConnectionString=\"Host=…;Port=…\"' in bash, " +
                            "-p:MigrationConnectionString=\"Host=…;Port=…\" in cmd), write each ';' as %3B, use the URL form postgres://user@host:port/database, " +
                            $"or set the {VariableName} environment variable (best for a password)");
                    return null;
                }
                var fromProperty = ConnectionSettings.Parse(ConnectionString, "MigrationConnectionString");
                if (fromProperty.HasPassword) WarnPasswordInProperty("MigrationConnectionString");
                return fromProperty;
            }

            var fromEnvironment = Environment.GetEnvironmentVariable(VariableName);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                return ConnectionSettings.Parse(fromEnvironment, $"environment variable {VariableName}");
            }
        }
        catch (ConnectionSettingsException e)
        {
            Invalid(e.Message);
            return null;
        }
        invalid = false;
        return null;
    }

    /// <summary>
    /// Global properties named like connection string keywords (Port, Database, Password…) beside a command-line
    /// MigrationConnectionString: what -p:MigrationConnectionString=Host=h;Port=5 leaves after MSBuild's split.
    /// </summary>
    private List<string>? KeysSplitOffByCommandLine()
    {
        if (BuildEngine is not IBuildEngine6 engine) return null;
        var global = engine.GetGlobalProperties();
        if (!global.Keys.Any(k => k.Equals("MigrationConnectionString", StringComparison.OrdinalIgnoreCase))) return null;
        return global.Keys.Where(ConnectionSettings.IsKeyword).Order(StringComparer.OrdinalIgnoreCase).ToList();
    }

    protected void WarnPasswordInProperty(string property) =>
        LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.PasswordInProperty, DiagnosticSeverity.Warning,
            $"{property} contains a password, and MSBuild writes property values to diagnostic (-v:diag) and binary (-bl) logs. " +
            $"Put the connection string in the {VariableName} environment variable instead (the task reads it itself, so it is never logged), or use a .pgpass file"));

    protected string VariableName => string.IsNullOrWhiteSpace(ConnectionStringVariable) ? "MIGRATION_CONNECTION_STRING" : ConnectionStringVariable.Trim();

    private ConnectionSettings? StartLocalDatabase()
    {
        if (string.IsNullOrWhiteSpace(LocalDatabaseDirectory))
        {
            Invalid("no database configured and no MigrationLocalDatabaseDirectory for a local one");
            return null;
        }
        // Starting the local server takes seconds, creating it more: not for a folder that cannot run anyway.
        // A running one is used at once, and the folder read meanwhile, as for any database.
        if (!LocalPostgresCluster.SeemsRunning(LocalDatabaseDirectory) && LoadMigrations() is null) return null;
        try
        {
            var cluster = LocalPostgresCluster.EnsureStarted(LocalDatabaseDirectory);
            Log.LogMessage(MessageImportance.High, "No connection configured ({0} is not set): {1} local {2}.",
                VariableName, cluster.StartedNow ? "started" : "using", cluster);
            return ConnectionSettings.Parse(cluster.ConnectionString(), ConnectionSettings.LocalSource);
        }
        catch (LocalDatabaseException e)
        {
            LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.NoDatabase, DiagnosticSeverity.Error,
                $"no database to migrate: MigrationConnectionString and the {VariableName} environment variable are not set, " +
                $"and the local development database could not start: {e.Message}"));
            return null;
        }
    }
}
