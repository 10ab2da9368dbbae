using System.Diagnostics;
using Npgsql;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// Applies, rolls back, reports and records migrations against one database. Every operation holds the
/// advisory lock of the history table for its whole run and re-reads the history under it.
/// </summary>
public sealed class MigrationRunner
{
    private readonly ConnectionSettings _connection;
    private readonly HistoryTable _history;
    private readonly IMigrationLog _log;
    private readonly TimeSpan _lockTimeout;
    private readonly TimeSpan _progressInterval;

    /// <param name="progressInterval">How often a statement that is still running is reported (MigrationProgressInterval).</param>
    public MigrationRunner(ConnectionSettings connection, HistoryTable history, IMigrationLog log, TimeSpan lockTimeout, TimeSpan? progressInterval = null)
    {
        _connection = connection;
        _history = history;
        _log = log;
        _lockTimeout = lockTimeout;
        _progressInterval = progressInterval ?? DefaultProgressInterval;
    }

    /// <summary>
    /// The lock timeout of a migration's statements without a <c>-- migrate:lock-timeout</c> directive
    /// (MigrationStatementLockTimeout); null: the session's own (PostgreSQL's default: wait forever).
    /// </summary>
    public TimeSpan? StatementLockTimeout { get; init; }

    /// <summary>How many times a transactional migration that hit its lock timeout is run again (MigrationLockRetries).</summary>
    public int LockRetries { get; init; } = DefaultLockRetries;

    /// <summary>The wait before the first retry after a lock timeout; it doubles for each further one.</summary>
    public TimeSpan LockRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public const int DefaultLockRetries = 3;

    /// <summary>Long enough not to clutter a normal run, short enough that a slow statement never looks hung.</summary>
    public static readonly TimeSpan DefaultProgressInterval = TimeSpan.FromSeconds(10);

    /// <summary>Applies pending migrations in version order, up to <see cref="UpOptions.Target"/> if given.</summary>
    /// <param name="loadMigrations">Reads the folder (null when it has errors, already reported): runs while the connection opens.</param>
    public async Task<bool> UpAsync(Func<MigrationSet?> loadMigrations, UpOptions options, CancellationToken cancel = default)
    {
        // Another run got there first (through a pooler that let two runs overlap, or one that crashed mid-statement):
        // start again, with the lock released, from the history as it is now. Bounded: each time, a migration is done.
        MigrationSet? loaded = null;
        for (var attempt = 1; ; attempt++)
        {
            var restart = false;
            var ok = await UpOnceAsync(() => loaded ??= loadMigrations(), options, () => restart = true, cancel);
            if (!restart || attempt == MaxRestarts) return ok;
        }
    }

    private const int MaxRestarts = 5;

    private Task<bool> UpOnceAsync(Func<MigrationSet?> loadMigrations, UpOptions options, Action restart, CancellationToken cancel) =>
        WithLockAsync(loadMigrations, async (connection, set, applied) =>
        {
            if (!RefuseDirty(connection, applied, set) || !RefuseChanged(applied, set)) return false;
            WarnMissingFiles(applied, set);

            var done = applied.Select(a => a.Version).ToHashSet();
            var pending = set.Migrations.Where(m => !done.Contains(m.Version) && (options.Target is null || m.Version <= options.Target)).ToList();
            if (pending.Count == 0)
            {
                var beyond = options.Target is null ? 0 : set.Migrations.Count(m => !done.Contains(m.Version));
                _log.Info(beyond == 0
                    ? $"Database is up to date at version {CurrentVersion(applied)} ({set.Migrations.Count} migration(s), none pending)."
                    : $"Database is at version {CurrentVersion(applied)}: nothing pending up to MigrationTarget={options.Target} ({beyond} pending above it).");
                options.RecordApplied?.Invoke(set.Migrations.Where(m => done.Contains(m.Version)).ToList());
                return true;
            }
            if (!CheckOrder(pending, applied, options.AllowOutOfOrder)) return false;

            var plans = pending.Select(m => (Migration: m, Plan: MigrationScriptPlan.For(m.Up!))).ToList();
            var problems = plans.SelectMany(p => p.Plan.Problems).ToList();
            foreach (var problem in problems) _log.Report(problem);
            if (problems.Count > 0 || !CheckGate(plans, options.RefuseDestructive) || !CheckAllMode(plans, options.SingleTransaction)) return false;

            var total = Stopwatch.StartNew();
            switch (await RunAsync(connection, set, plans, Direction.Up, options.SingleTransaction, cancel))
            {
                case RunOutcome.Failed:
                    return false;
                case RunOutcome.DoneElsewhere:
                    restart();
                    return false;
            }
            _log.Info($"Applied {pending.Count} migration(s) in {total.ElapsedMilliseconds} ms; database at version {Math.Max(pending[^1].Version, CurrentVersion(applied))}.");
            options.RecordApplied?.Invoke(set.Migrations.Where(m => done.Contains(m.Version) || pending.Contains(m)).ToList());
            return true;
        }, cancel, lockWhen: (set, applied) => applied.Any(a => a.Dirty) || HasPending(set, applied, options.Target));

    private static bool HasPending(MigrationSet set, List<AppliedMigration> applied, long? target)
    {
        var done = applied.Select(a => a.Version).ToHashSet();
        return set.Migrations.Any(m => !done.Contains(m.Version) && (target is null || m.Version <= target));
    }

    /// <summary>Rolls back the last <paramref name="steps"/> applied migrations, or all above <paramref name="target"/>.</summary>
    public Task<bool> DownAsync(Func<MigrationSet?> loadMigrations, int steps, long? target, bool refuseDestructive = false, CancellationToken cancel = default) =>
        WithLockAsync(loadMigrations, async (connection, set, applied) =>
        {
            if (!RefuseDirty(connection, applied, set)) return false;
            // Newest first by when they were applied: after an out-of-order apply, "the last migration" is the one
            // applied last, not the highest version. For in-order histories both orders agree.
            var newestFirst = applied.OrderByDescending(a => a.AppliedAt ?? DateTimeOffset.MinValue).ThenByDescending(a => a.Version);
            var toUndo = (target is null ? newestFirst.Take(steps) : newestFirst.Where(a => a.Version > target)).ToList();
            if (toUndo.Count == 0)
            {
                _log.Info($"Nothing to roll back: database at version {CurrentVersion(applied)}.");
                return true;
            }

            if (set.Layout == MigrationLayout.ForwardOnly)
            {
                // No down script can be added to this layout (a .down.sql file would mix layouts, MIG005).
                var newest = toUndo[0];
                var file = set.Migrations.FirstOrDefault(m => m.Version == newest.Version)?.Up?.Path;
                _log.Report(AtFile(DiagnosticCodes.MissingDownForRollback,
                    $"cannot roll back version {newest.Label}: {set.Directory} holds forward-only migrations ({set.VersionTextOf(newest.Version)}_name.sql), " +
                    "which have no down scripts; write a new migration that undoes it. Nothing was rolled back", file));
                return false;
            }

            // Every down script must exist and parse before the first one runs.
            var byVersion = set.Migrations.ToDictionary(m => m.Version);
            var plans = new List<(Migration Migration, MigrationScriptPlan Plan)>();
            var ok = true;
            foreach (var row in toUndo)
            {
                if (!byVersion.TryGetValue(row.Version, out var migration) || migration.Down is null)
                {
                    var file = migration?.Up?.Path;
                    _log.Report(AtFile(DiagnosticCodes.MissingDownForRollback,
                        $"cannot roll back version {row.Label}: it has no down script" +
                        (migration is null
                            ? $" (its migration files are gone: restore '{set.VersionTextOf(row.Version)}_{(string.IsNullOrEmpty(row.Name) ? "name" : row.Name)}.up.sql' and its .down.sql)"
                            : $" ('{migration}.down.sql')") + "; nothing was rolled back", file));
                    ok = false;
                    continue;
                }
                var plan = MigrationScriptPlan.For(migration.Down);
                foreach (var problem in plan.Problems) _log.Report(problem);
                ok &= plan.Problems.Count == 0;
                plans.Add((migration, plan));
            }
            if (!ok) return false;

            if (!CheckGate(plans, refuseDestructive)) return false;
            switch (await RunAsync(connection, set, plans, Direction.Down, singleTransaction: false, cancel))
            {
                case RunOutcome.Failed:
                    return false;
                case RunOutcome.DoneElsewhere:
                    _log.Report(new MigrationDiagnostic(DiagnosticCodes.DatabaseError, DiagnosticSeverity.Error,
                        $"another run changed {_history.DisplayName} while this one rolled back: the ones reported above are rolled back; run MigrateStatus, then MigrateDown again if needed"));
                    return false;
            }
            var remaining = applied.Where(a => toUndo.All(u => u.Version != a.Version)).ToList();
            _log.Info($"Rolled back {plans.Count} migration(s); database at version {CurrentVersion(remaining)}.");
            return true;
        }, cancel);

    public async Task<MigrationStatus?> StatusAsync(Func<MigrationSet?> loadMigrations, CancellationToken cancel = default)
    {
        MigrationStatus? status = null;
        // Read-only, so no lock: a status is wanted most while a deploy runs. It says so when one does.
        var ok = await WithLockAsync(loadMigrations, (connection, set, applied) =>
        {
            var byVersion = set.Migrations.ToDictionary(m => m.Version);
            var appliedEntries = applied.Select(a =>
            {
                byVersion.TryGetValue(a.Version, out var m);
                return new MigrationStatus.Entry(a.Version, a.Name ?? m?.Name ?? "", a.AppliedAt, a.ExecutionMs, a.Dirty,
                    FileMissing: m is null, Changed: m is not null && a.Checksum is not null && a.Checksum != m.Up!.Checksum, m?.Up?.Path);
            }).ToList();
            var done = applied.Select(a => a.Version).ToHashSet();
            var pending = set.Migrations.Where(m => !done.Contains(m.Version))
                .Select(m => new MigrationStatus.Entry(m.Version, m.Name, null, null, false, false, false, m.Up!.Path, OutOfOrder: m.Version < CurrentVersion(applied))).ToList();
            status = new MigrationStatus
            {
                Database = _connection.Description,
                HistoryTable = _history.DisplayName,
                CurrentVersion = CurrentVersion(applied),
                RunInProgress = RunInProgress(connection),
                Applied = appliedEntries,
                Pending = pending,
            };
            return Task.FromResult(true);
        }, cancel, readOnly: true);
        return ok ? status : null;
    }

    /// <summary>The history rows, read under the lock (null when the database could not be read; the error is logged).</summary>
    public async Task<IReadOnlyList<AppliedMigration>?> HistoryAsync(Func<MigrationSet?> loadMigrations, CancellationToken cancel = default)
    {
        IReadOnlyList<AppliedMigration>? rows = null;
        var ok = await WithLockAsync(loadMigrations, (_, _, applied) => { rows = applied; return Task.FromResult(true); }, cancel, readOnly: true);
        return ok ? rows : null;
    }

    /// <summary>
    /// Records <paramref name="version"/> as the current state: versions up to it applied, above it not; clears dirty.
    /// A dirty migration cleared as applied gets its file's checksum recorded anew: it was finished by hand, perhaps
    /// after fixing the file, and that file is what the database now reflects.
    /// </summary>
    public Task<bool> ForceAsync(Func<MigrationSet?> loadMigrations, long version, CancellationToken cancel = default) =>
        WithLockAsync(loadMigrations, async (connection, set, applied) =>
        {
            // A version with no file is fine if the history has it (a dirty row whose file is gone): MIG207 offers it.
            if (version != 0 && set.Migrations.All(m => m.Version != version) && applied.All(a => a.Version != version))
            {
                _log.Report(new MigrationDiagnostic(DiagnosticCodes.InvalidSetting, DiagnosticSeverity.Error,
                    $"MigrationVersion {version} is neither the version of a migration in {set.Directory} nor one that {_history.DisplayName} records: " +
                    "use one of them, or 0"));
                return false;
            }
            var recorded = set.Migrations.Where(m => m.Version <= version && applied.All(a => a.Version != m.Version)).ToList();
            var removed = applied.Where(a => a.Version > version).ToList();
            var cleared = applied.Where(a => a.Dirty && a.Version <= version).ToList();
            var files = set.Migrations.ToDictionary(m => m.Version);
            var rechecked = cleared.Where(a => files.TryGetValue(a.Version, out var m) && m.Up is not null && m.Up.Checksum != a.Checksum).ToList();

            await using var transaction = await connection.BeginTransactionAsync(cancel);
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"DELETE FROM {_history.QualifiedName} WHERE version > $1") { Parameters = { new NpgsqlParameter<long> { TypedValue = version } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"UPDATE {_history.QualifiedName} SET dirty = false WHERE dirty"));
            foreach (var migration in recorded) batch.BatchCommands.Add(_history.InsertRecorded(migration));
            foreach (var row in rechecked) batch.BatchCommands.Add(_history.RecordChecksum(files[row.Version]));
            await batch.ExecuteNonQueryAsync(cancel);
            await transaction.CommitAsync(cancel);

            var checksums = rechecked.Count == 0 ? "" : $" The file of {Versions(rechecked.Select(a => a.Version))} differs from when it was marked dirty: its checksum is recorded anew.";
            _log.Report(new MigrationDiagnostic(DiagnosticCodes.HistoryForced, DiagnosticSeverity.Warning,
                $"FORCED the history of {_connection.Description} to version {version} without running any SQL: " +
                $"{recorded.Count} version(s) recorded as applied ({Versions(recorded.Select(m => m.Version))}), " +
                $"{removed.Count} removed ({Versions(removed.Select(a => a.Version))}), {cleared.Count} dirty flag(s) cleared.{checksums} " +
                "Make sure the schema really is at that version"));
            return true;
        }, cancel);

    /// <summary>For a database built without this tool: records versions up to <paramref name="version"/> as applied, running nothing.</summary>
    public Task<bool> BaselineAsync(Func<MigrationSet?> loadMigrations, long version, CancellationToken cancel = default) =>
        WithLockAsync(loadMigrations, async (connection, set, applied) =>
        {
            if (applied.Count > 0)
            {
                _log.Report(new MigrationDiagnostic(DiagnosticCodes.BaselineRefused, DiagnosticSeverity.Error,
                    $"cannot baseline {_connection.Description}: {_history.DisplayName} already records {applied.Count} migration(s) (at version {CurrentVersion(applied)}). " +
                    $"Baseline is for databases this tool has never migrated; to move the recorded state, use MigrateForce -p:MigrationVersion={version}"));
                return false;
            }
            var recorded = set.Migrations.Where(m => m.Version <= version).ToList();
            await using var transaction = await connection.BeginTransactionAsync(cancel);
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var migration in recorded) batch.BatchCommands.Add(_history.InsertRecorded(migration));
            if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(cancel);
            await transaction.CommitAsync(cancel);
            _log.Info($"Baselined {_connection.Description} at version {version}: {recorded.Count} migration(s) recorded as applied without running them ({Versions(recorded.Select(m => m.Version))}).");
            return true;
        }, cancel);

    private enum Direction { Up, Down }

    /// <summary>Most migrations a pipelined batch carries: bounds memory and keeps progress flowing.</summary>
    private const int MaxMigrationsPerBatch = 200;

    /// <summary>
    /// Runs the plans in order. Consecutive transactional ones share a pipelined batch; a non-transactional
    /// one runs alone, statement by statement, with its row dirty until it is done.
    /// </summary>
    private async Task<RunOutcome> RunAsync(NpgsqlConnection connection, MigrationSet set, List<(Migration Migration, MigrationScriptPlan Plan)> plans, Direction direction, bool singleTransaction, CancellationToken cancel)
    {
        var executor = new ScriptExecutor(connection, StatementLockTimeout);
        var operation = direction == Direction.Up ? "MigrateUp" : "MigrateDown";
        using var progress = new RunProgress(_log, direction == Direction.Up, _progressInterval);
        var steps = new List<ScriptExecutor.Step>();

        for (var i = 0; i <= plans.Count; i++)
        {
            var next = i < plans.Count ? plans[i] : default;
            var flush = i == plans.Count || !next.Plan.Transactional || (!singleTransaction && steps.Count == MaxMigrationsPerBatch);
            if (flush && steps.Count > 0)
            {
                var batched = await RunBatchAsync(executor, steps, singleTransaction, operation, direction, progress, cancel);
                if (batched != RunOutcome.Done) return batched;
                steps.Clear();
            }
            if (i == plans.Count) break;

            var (migration, plan) = next;
            if (plan.Transactional)
            {
                steps.Add(new ScriptExecutor.Step(migration, plan,
                    direction == Direction.Up ? _history.InsertApplied(migration) : _history.Delete(migration.Version),
                    _history.LockMigrationsCall,
                    previous => _history.Claim(migration.Version, previous?.Version, applying: direction == Direction.Up)));
                continue;
            }

            if (!await _history.MarkDirtyAsync(connection, migration, direction == Direction.Up, cancel))
            {
                _log.Info($"Another run {(direction == Direction.Up ? "applied" : "rolled back")} {migration} meanwhile: reading the history again.");
                return RunOutcome.DoneElsewhere;
            }
            if (connection.PostgreSqlVersion.Major >= 14)
            {
                // Outside a transaction the setting is the session's: left on, it only makes the server notice sooner.
                await using var check = new NpgsqlCommand(ClientCheckSql, connection);
                await check.ExecuteNonQueryAsync(cancel);
            }
            var statement = -1;
            progress.Starting(migration, () => (plan, Volatile.Read(ref statement)), " (outside a transaction)");
            var (result, completed) = await executor.RunStatementByStatementAsync(plan, s => Volatile.Write(ref statement, s), cancel);
            progress.Finished();
            if (!result.Succeeded)
            {
                ReportNonTransactionalFailure(migration, plan, result.Failure!, completed, operation, PreviousOf(set, migration.Version));
                return RunOutcome.Failed;
            }
            if (direction == Direction.Up)
            {
                await _history.MarkCleanAsync(connection, migration.Version, (int)result.Elapsed.TotalMilliseconds, cancel);
            }
            else
            {
                await using var delete = new NpgsqlBatch(connection) { BatchCommands = { _history.Delete(migration.Version) } };
                await delete.ExecuteNonQueryAsync(cancel);
            }
            progress.Done(migration, $"{result.Elapsed.TotalMilliseconds:0} ms, {plan.Statements.Count} statement(s) outside a transaction");
        }
        return RunOutcome.Done;
    }

    private enum RunOutcome { Done, Failed, DoneElsewhere }

    private bool RunInProgress(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand("SELECT " + RunLock.HeldSql(_history.LockKey), connection);
        return (bool)command.ExecuteScalar()!;
    }

    private const string ClientCheckSql = "SET client_connection_check_interval = 1000";

    /// <summary>
    /// Runs a pipelined batch. A migration that waited longer than its lock timeout (55P03) was rolled back, and
    /// the ones before it committed: after a pause, which doubles each time, the batch goes on from it, up to
    /// <see cref="LockRetries"/> times per migration. Then the error names the lock and who holds it, not the file.
    /// </summary>
    private async Task<RunOutcome> RunBatchAsync(ScriptExecutor executor, List<ScriptExecutor.Step> steps, bool singleTransaction, string operation, Direction direction,
        RunProgress progress, CancellationToken cancel)
    {
        var remaining = steps;
        var attempt = 0;
        Migration? retrying = null;
        while (true)
        {
            var outcome = await executor.RunTransactionalAsync(remaining, singleTransaction,
                singleTransaction ? $"nothing of this run was applied; fix the file and run {operation} again" : $"fix the file and run {operation} again",
                progress, cancel);
            if (outcome.DoneElsewhere is { } other)
            {
                _log.Info($"Another run {(direction == Direction.Up ? "applied" : "rolled back")} {other} meanwhile (this run's transaction for it was rolled back): reading the history again.");
                return RunOutcome.DoneElsewhere;
            }
            if (outcome.Failure is null) return RunOutcome.Done;
            if (!outcome.LockTimedOut || outcome.FailedStep < 0)
            {
                _log.Report(outcome.Failure);
                return RunOutcome.Failed;
            }
            var failed = remaining[outcome.FailedStep];
            if (!ReferenceEquals(failed.Migration, retrying)) (retrying, attempt) = (failed.Migration, 0);
            var relation = LockedRelation(outcome.FailedStatement);
            var timeout = failed.Plan.LockTimeout ?? StatementLockTimeout;
            if (attempt >= LockRetries)
            {
                var holders = await LockHoldersAsync(executor.Connection, relation, cancel);
                _log.Report(outcome.Failure with
                {
                    Code = DiagnosticCodes.StatementLockTimedOut,
                    Message = $"lock timeout: this statement waited longer than its lock timeout ({PgDuration.Describe(timeout ?? TimeSpan.Zero)}) " +
                              $"for a lock on {(relation is null ? "an object it uses" : $"'{relation}'")} that another session holds" +
                              (holders.Length > 0 ? $" ({holders})" : "") +
                              $", {(LockRetries == 0 ? "and MigrationLockRetries=0" : $"on each of {LockRetries + 1} attempts")}. " +
                              "The file is not at fault: the migration was rolled back and its history row not written" +
                              (singleTransaction ? ", as was the rest of this run's one transaction" : "; the migrations before it committed") +
                              ". End or wait out the session holding the lock, or let the statement wait longer with " +
                              $"'-- {MigrationScriptPlan.LockTimeoutDirective} 30s' in the file or -p:MigrationStatementLockTimeout, then run {operation} again",
                });
                return RunOutcome.Failed;
            }
            attempt++;
            var delay = LockRetryDelay * (1 << Math.Min(attempt - 1, 16));
            var at = outcome.FailedStatement?.StartPosition ?? TextPosition.Start;
            _log.Info($"lock timeout on {relation ?? "a lock"} at {failed.Plan.Script.Path}({at.Line}): " +
                      $"retry {attempt} of {LockRetries} in {delay.TotalSeconds:0.###} s");
            await Task.Delay(delay, cancel);
            remaining = singleTransaction ? remaining : remaining.Skip(outcome.Committed.Count).ToList();
        }
    }

    /// <summary>The table a statement locks, when the statement names one (ALTER TABLE, CREATE INDEX ON, …).</summary>
    private static string? LockedRelation(Sql.SqlStatement? statement)
    {
        if (statement is null) return null;
        var info = Linting.StatementClassifier.Classify(statement);
        return (info.Table ?? (info.Names.Count == 1 ? info.Names[0] : null))?.ToString();
    }

    /// <summary>
    /// Who holds a lock on <paramref name="relation"/> now: pid, application name, state and how long its transaction
    /// has run. Empty when nothing can be told (no relation, the lock already gone, the query refused).
    /// </summary>
    private static async Task<string> LockHoldersAsync(NpgsqlConnection connection, string? relation, CancellationToken cancel)
    {
        if (relation is null) return "";
        try
        {
            await using var command = new NpgsqlCommand(
                "SELECT DISTINCT ON (l.pid) l.pid, coalesce(a.application_name, ''), l.mode, coalesce(a.state, ''), " +
                "coalesce(extract(epoch FROM clock_timestamp() - a.xact_start)::bigint, -1) " +
                "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid " +
                "WHERE l.locktype = 'relation' AND l.granted AND l.relation = to_regclass($1) AND l.pid <> pg_backend_pid() " +
                "ORDER BY l.pid LIMIT 5", connection)
            {
                Parameters = { new NpgsqlParameter<string> { TypedValue = relation } },
            };
            await using var reader = await command.ExecuteReaderAsync(cancel);
            var found = new List<string>();
            while (await reader.ReadAsync(cancel))
            {
                var application = reader.GetString(1);
                var state = reader.GetString(3);
                var seconds = reader.GetInt64(4);
                found.Add($"pid {reader.GetInt32(0)}" + (application.Length > 0 ? $", application '{application}'" : "") +
                          $", {reader.GetString(2)}" + (state.Length > 0 ? $", {state}" : "") +
                          (seconds >= 0 ? $", its transaction open for {seconds} s" : ""));
            }
            return found.Count == 0 ? "" : "held now by " + string.Join("; ", found) + ": see pg_stat_activity";
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            return "";
        }
    }

    /// <summary>
    /// A pending migration below the highest applied one was usually merged late from a branch: applying it
    /// after its successors may not do what its author tested. Refused unless the project allows it.
    /// </summary>
    private bool CheckOrder(List<Migration> pending, List<AppliedMigration> applied, bool allowOutOfOrder)
    {
        var highest = CurrentVersion(applied);
        var late = pending.Where(m => m.Version < highest).ToList();
        if (late.Count == 0) return true;
        foreach (var migration in late)
        {
            _log.Report(new MigrationDiagnostic(DiagnosticCodes.OutOfOrderMigration, allowOutOfOrder ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error,
                $"migration {migration} is pending but version {highest} is already applied to {_connection.Description} (merged late from a branch?). " +
                (allowOutOfOrder
                    ? "Applying it out of order because MigrationAllowOutOfOrder=true"
                    : $"Nothing was run. Renumber it above {highest} if it was not applied anywhere yet (MigrateRenumber), or apply it out of order with -p:MigrationAllowOutOfOrder=true"),
                migration.Up!.Path, 1, 1));
        }
        return allowOutOfOrder;
    }

    /// <summary>All-in-one-transaction mode cannot contain a migration that must run outside a transaction.</summary>
    private bool CheckAllMode(List<(Migration Migration, MigrationScriptPlan Plan)> plans, bool singleTransaction)
    {
        if (!singleTransaction) return true;
        var outside = plans.Where(p => !p.Plan.Transactional).ToList();
        foreach (var (migration, plan) in outside)
        {
            _log.Report(new MigrationDiagnostic(DiagnosticCodes.NonTransactionalInAllMode, DiagnosticSeverity.Error,
                $"MigrationTransactionMode=all runs every pending migration in one transaction, but {migration} is marked '-- {MigrationScriptPlan.NoTransactionDirective}'. " +
                "Nothing was run. Apply up to the version before it first (-p:MigrationTarget), or use the default per-migration mode",
                plan.Script.Path, 1, 1));
        }
        return outside.Count == 0;
    }

    /// <summary>Against a configured database, destructive statements need an explicit yes: list them all, run nothing.</summary>
    private bool CheckGate(List<(Migration Migration, MigrationScriptPlan Plan)> plans, bool refuseDestructive)
    {
        if (!refuseDestructive) return true;
        var found = plans.SelectMany(p => Linting.MigrationLinter.DestructiveStatements(p.Plan.Script)).ToList();
        foreach (var statement in found)
        {
            _log.Report(new MigrationDiagnostic(DiagnosticCodes.DestructiveMigrationRefused, DiagnosticSeverity.Error,
                $"destructive statement '{statement.Statement.Excerpt()}'. Against {_connection.Description} this needs -p:AllowDestructiveMigrations=true; nothing was run",
                statement.FilePath, statement.Line, statement.Column));
        }
        return found.Count == 0;
    }

    /// <summary>The MigrateForce command for this history table: run as printed, it must not act on the default one.</summary>
    private string ForceCommand =>
        "dotnet msbuild -t:MigrateForce" +
        (_history.Schema == HistoryTable.DefaultSchema ? "" : $" -p:MigrationsSchema={ShellWord(_history.Schema)}") +
        (_history.Table == HistoryTable.DefaultTable ? "" : $" -p:MigrationsTable={ShellWord(_history.Table)}");

    private static string ShellWord(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? value : "\"" + value.Replace("\"", "\\\"") + "\"";

    private void ReportNonTransactionalFailure(Migration migration, MigrationScriptPlan plan, MigrationDiagnostic failure, int completed, string operation, long previous)
    {
        var done = completed == 0
            ? "no statement of it had run"
            : $"statement(s) already done: {string.Join(", ", plan.Statements.Take(completed).Select(s => $"line {s.StartLine} ({s.FirstWords(3)})"))}";
        // Which version is "the real state" depends on the direction: a finished rollback means the migration is gone.
        var advice = operation == "MigrateDown"
            ? $"-p:MigrationVersion={previous} (if the rollback is complete: its objects are gone) or -p:MigrationVersion={migration.Version} (if you put them back)"
            : $"-p:MigrationVersion={migration.Version} (if its changes are complete) or -p:MigrationVersion={previous} (if they are undone)";
        _log.Report(failure with
        {
            Message = $"{failure.Message}. {operation} of {migration} ran outside a transaction and stopped at statement {completed + 1} of {plan.Statements.Count}; " +
                      $"{done}. Version {migration.Version} is now marked dirty. Finish or undo its statements by hand, then record the real state: " +
                      $"{ForceCommand} {advice}",
        });
    }

    private bool RefuseDirty(NpgsqlConnection connection, List<AppliedMigration> applied, MigrationSet set)
    {
        var dirty = applied.Where(a => a.Dirty).ToList();
        if (dirty.Count == 0) return true;
        var invalid = InvalidIndexes(connection);
        foreach (var row in dirty)
        {
            var file = set.Migrations.FirstOrDefault(m => m.Version == row.Version)?.Up?.Path;
            _log.Report(AtFile(DiagnosticCodes.DirtyMigration,
                $"version {row.Label} is dirty: a non-transactional migration stopped part-way, so the schema is in between versions. " +
                (invalid.Count == 0 ? "" :
                    $"{string.Join(", ", invalid.Select(i => $"index {i} is INVALID"))} (left by a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY " +
                    $"that did not finish): drop {(invalid.Count == 1 ? "it" : "them")} with {string.Join("; ", invalid.Select(i => $"DROP INDEX CONCURRENTLY {i}"))} " +
                    "before running the statement again. ") +
                $"Nothing was run. Finish or undo it by hand, then run {ForceCommand} " +
                $"-p:MigrationVersion={row.Version} (complete) or -p:MigrationVersion={PreviousOf(set, row.Version)} (undone)", file));
        }
        return false;
    }

    /// <summary>Indexes PostgreSQL marks invalid (an interrupted CONCURRENTLY build), as schema.name, quoted where needed.</summary>
    private static List<string> InvalidIndexes(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid " +
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid ORDER BY 1", connection);
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    private bool RefuseChanged(List<AppliedMigration> applied, MigrationSet set)
    {
        var byVersion = set.Migrations.ToDictionary(m => m.Version);
        var ok = true;
        foreach (var row in applied)
        {
            if (row.Checksum is null || !byVersion.TryGetValue(row.Version, out var migration) || migration.Up!.Checksum == row.Checksum) continue;
            _log.Report(new MigrationDiagnostic(DiagnosticCodes.AppliedMigrationChanged, DiagnosticSeverity.Error,
                $"migration {migration} was changed after it was applied to {_connection.Description} " +
                $"(recorded checksum {Short(row.Checksum)}, file now {Short(migration.Up.Checksum)}). Nothing was run. " +
                (_connection.IsLocal
                    ? $"On this local development database, roll it back and apply it again as it is now: dotnet msbuild -t:MigrateDown -p:MigrationTarget={PreviousOf(set, migration.Version)}, then MigrateUp"
                    : "Put the file back as it was and write a new migration for the change"),
                migration.Up.Path, 1, 1));
            ok = false;
        }
        return ok;
    }

    private void WarnMissingFiles(List<AppliedMigration> applied, MigrationSet set)
    {
        var versions = set.Migrations.Select(m => m.Version).ToHashSet();
        foreach (var row in applied.Where(a => !versions.Contains(a.Version)))
        {
            _log.Report(new MigrationDiagnostic(DiagnosticCodes.AppliedMigrationMissing, DiagnosticSeverity.Warning,
                $"version {row.Label} is applied to {_connection.Description} but its file is not in {set.Directory}: " +
                "restore it, or it can never be rolled back"));
        }
    }

    /// <param name="readOnly">Create, convert and lock nothing (MigrateStatus, MigrateScript, checks): a missing table is an empty history.</param>
    /// <param name="lockWhen">
    /// Given the history read without the lock, whether the work changes anything and so needs the run lock (then the
    /// history is read again under it); null: always. A nothing-pending MigrateUp takes no lock and opens no second connection.
    /// </param>
    private async Task<bool> WithLockAsync(Func<MigrationSet?> loadMigrations, Func<NpgsqlConnection, MigrationSet, List<AppliedMigration>, Task<bool>> work,
        CancellationToken cancel, bool readOnly = false, Func<MigrationSet, List<AppliedMigration>, bool>? lockWhen = null)
    {
        var clock = Stopwatch.StartNew();
        // Opening the session (connect, history) costs more than reading the folder: do both at once. A folder with
        // errors still runs nothing: the session is then closed unused, its outcome not reported.
        var sessionLog = new ClosableLog(_log);
        var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var opening = Task.Run(() => OpenSession(clock, sessionLog, abandon.Token), CancellationToken.None);
        _ = opening.ContinueWith(_ => abandon.Dispose(), TaskScheduler.Default);

        MigrationSet? set = null;
        try
        {
            set = loadMigrations();
        }
        finally
        {
            if (set is null) Abandon(opening, abandon, sessionLog);
        }
        if (set is null) return false;
        // Most likely the session is still opening: meanwhile compute the checksums the history is compared with.
        foreach (var migration in set.Migrations) _ = migration.Up?.Checksum;

        NpgsqlConnection? connection = null;
        RunLock? runLock = null;
        try
        {
            Session session;
            try
            {
                // Blocking, not awaiting: the caller waits anyway (MSBuild tasks are synchronous), and staying on
                // this thread spares a hop and the async machinery a fresh process would JIT-compile.
                try
                {
                    opening.Wait(cancel);
                }
                catch (AggregateException)
                {
                    // Rethrown unwrapped just below, for the handlers of database errors.
                }
                session = opening.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                Abandon(opening, abandon, sessionLog);
                throw;
            }
            connection = session.Connection;
            var applied = session.Rows;
            if (!readOnly && (applied is null || lockWhen is null || lockWhen(set, applied)))
            {
                // The lock comes before this session: behind a pooler in session mode every open session pins a server
                // connection, and runs that each held one while they opened a second could use up the pool together.
                connection.Dispose();
                connection = null;
                runLock = RunLock.Acquire(_connection, _history.LockKey, _lockTimeout, _log, _history.DisplayName, cancel);
                connection = OpenSession(clock, _log, cancel).Connection;
                _log.Detail($"Locked at {clock.ElapsedMilliseconds} ms.");
                // What was read before may have changed while another run held the lock.
                applied = _history.IsCurrentFormat(connection, cancel) ? _history.Read(connection, cancel) : null;
            }
            if (applied is null)
            {
                var state = await _history.EnsureAsync(connection, set.Migrations, readOnly, cancel);
                if (state.Legacy is { } legacy)
                {
                    var described = $"the golang-migrate table {_history.DisplayName} (version {legacy.Version?.ToString() ?? "none"}{(legacy.Dirty ? ", dirty" : "")})";
                    _log.Info(state.Converted
                        ? $"Converted {described} to the history format, one row per applied migration; its state is kept, and the old table too, as {_history.GolangMigrateBackup}."
                        : $"Read {described} as it is; MigrateUp will convert it to the history format.");
                }
                applied = !state.Exists ? []
                    : state.Legacy is { } unconverted && !state.Converted ? HistoryTable.RowsOf(unconverted, set.Migrations)
                    : _history.Read(connection, cancel);
            }
            _log.Detail($"Read {applied.Count} history row(s) at {clock.ElapsedMilliseconds} ms.");
            return await work(connection, set, applied);
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            _log.Report(DatabaseErrors.ToDiagnostic(e, _connection));
            return false;
        }
        finally
        {
            // Unpooled: closing the connection ends the session; the lock's transaction ends with its own.
            connection?.Dispose();
            runLock?.Dispose();
        }
    }

    /// <summary>
    /// An open connection, and the history table's rows when it is of the current format (else null: the caller
    /// creates or converts it, which needs the folder and the lock). Synchronous, on a thread of its own: see
    /// <see cref="HistoryTable.IsCurrentFormat(NpgsqlConnection, CancellationToken)"/>.
    /// </summary>
    private Session OpenSession(Stopwatch clock, IMigrationLog log, CancellationToken cancel)
    {
        var connection = _connection.CreateConnection();
        try
        {
            connection.Open();
            log.Detail($"Connected to {_connection.Description} (PostgreSQL {connection.PostgreSqlVersion}) in {clock.ElapsedMilliseconds} ms.");
            return new Session(connection, _history.IsCurrentFormat(connection, cancel) ? _history.Read(connection, cancel) : null);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private sealed record Session(NpgsqlConnection Connection, List<AppliedMigration>? Rows);

    /// <summary>
    /// The folder had errors, or the run was cancelled: stop any lock wait and report nothing more. A connection
    /// being opened cannot be interrupted; it is closed once open, and a failure to open is ignored.
    /// </summary>
    private static void Abandon(Task<Session> opening, CancellationTokenSource abandon, ClosableLog sessionLog)
    {
        sessionLog.Close();
        try
        {
            abandon.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session had already opened (its continuation disposed the source): nothing left to stop.
        }
        _ = opening.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) t.Result.Connection.Dispose();
            else _ = t.Exception; // observed: a failure to connect is not news once the folder has errors
        }, TaskScheduler.Default);
    }

    private static bool IsDatabaseFailure(Exception e) =>
        e is NpgsqlException or LockTimeoutException or HistoryTableException or ConnectionSettingsException or TimeoutException or System.Net.Sockets.SocketException;

    /// <summary>An error at the start of a migration's file, or without a place when the file is gone.</summary>
    private static MigrationDiagnostic AtFile(string code, string message, string? file) =>
        new(code, DiagnosticSeverity.Error, message, file, file is null ? 0 : 1, file is null ? 0 : 1);

    private static string Short(string checksum) => checksum.Length > 12 ? checksum[..12] + "…" : checksum;

    private static long PreviousOf(MigrationSet set, long version) =>
        set.Migrations.Where(m => m.Version < version).Select(m => m.Version).DefaultIfEmpty(0).Max();

    /// <summary>The highest applied version, 0 for none. A loop: LINQ's Max over longs is JIT-compiled in every fresh build process.</summary>
    private static long CurrentVersion(IEnumerable<AppliedMigration> applied)
    {
        long highest = 0;
        foreach (var row in applied) highest = Math.Max(highest, row.Version);
        return highest;
    }

    private static string Versions(IEnumerable<long> versions)
    {
        var list = versions.ToList();
        return list.Count == 0 ? "none" : list.Count <= 10 ? string.Join(", ", list) : $"{list[0]} … {list[^1]}";
    }
}
