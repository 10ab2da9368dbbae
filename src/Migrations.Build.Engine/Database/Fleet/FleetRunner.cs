using System.Collections.Concurrent;
using System.Diagnostics;

namespace Migrations.Build.Engine.Database.Fleet;

/// <summary>
/// Runs the same migrations on many databases: one <see cref="MigrationRunner"/> per database (its own
/// connection, advisory lock and history), at most <see cref="FleetOptions.Parallelism"/> at once. Each
/// database first gets the cheap check (status, read-only): one with nothing pending is reported up to date
/// and left alone, so a rerun touches only the ones that failed or were not reached.
/// </summary>
/// <remarks>
/// The folder is loaded and validated once, by the caller. Each database's lines are buffered and written as
/// one block, prefixed with its <see cref="ConnectionSettings.Description"/>, followed by its result line; all
/// writing to <c>log</c> happens on the calling thread (MSBuild's logger is the task's).
/// </remarks>
public sealed class FleetRunner(IReadOnlyList<FleetTarget> targets, MigrationSet migrations, IMigrationLog log, FleetOptions options)
{
    /// <summary>Applies pending migrations to every database (MigrateUpAll).</summary>
    public FleetReport Up(UpOptions up, CancellationToken cancel = default) =>
        Run("up", (runner, target, buffer) => UpOne(runner, buffer, up, cancel), cancel);

    /// <summary>Reports each database's version and pending migrations (MigrateStatusAll), changing nothing.</summary>
    /// <param name="failOnPending">MigrationFailOnPending: a database with pending migrations counts as failed.</param>
    public FleetReport Status(bool failOnPending, CancellationToken cancel = default) =>
        Run("status", (runner, target, buffer) => StatusOne(runner, buffer, failOnPending, target, cancel), cancel);

    private delegate Task<DatabaseOutcome> Work(MigrationRunner runner, FleetTarget target, BufferedLog buffer);

    private async Task<DatabaseOutcome> UpOne(MigrationRunner runner, BufferedLog buffer, UpOptions up, CancellationToken cancel)
    {
        var status = await runner.StatusAsync(() => migrations, cancel);
        if (status is null) return new DatabaseOutcome { Result = FleetResult.Failed };
        var toApply = status.Pending.Count(p => up.Target is null || p.Version <= up.Target);
        var troubled = status.Applied.Any(a => a.Dirty || a.Changed);
        if (toApply == 0 && !troubled)
        {
            up.RecordApplied?.Invoke(migrations.Migrations.Where(m => status.Applied.Any(a => a.Version == m.Version)).ToList());
            return new DatabaseOutcome
            {
                Result = FleetResult.UpToDate,
                VersionBefore = status.CurrentVersion, VersionAfter = status.CurrentVersion, Pending = status.Pending.Count,
            };
        }
        // Something to do (or a dirty or changed row, which MigrateUp refuses with its own error): the real run,
        // which takes the lock and reads the history again. What it applied is counted from what it reports
        // applied at its end, not from the check: another deployer may have come in between.
        IReadOnlyList<Migration>? final = null;
        var ok = await runner.UpAsync(() => migrations, up with
        {
            RecordApplied = all =>
            {
                final = all;
                up.RecordApplied?.Invoke(all);
            },
        }, cancel);
        var before = status.Applied.Select(a => a.Version).ToHashSet();
        var now = final?.Select(m => m.Version).ToHashSet();
        var applied = ok && now is not null ? now.Count(v => !before.Contains(v)) : 0;
        return new DatabaseOutcome
        {
            Result = !ok ? FleetResult.Failed : applied == 0 ? FleetResult.UpToDate : FleetResult.Applied,
            VersionBefore = status.CurrentVersion,
            VersionAfter = ok && now is not null ? Math.Max(status.CurrentVersion, now.DefaultIfEmpty(0).Max()) : null,
            Applied = applied,
            Pending = ok && now is not null ? migrations.Migrations.Count(m => !now.Contains(m.Version)) : null,
        };
    }

    private async Task<DatabaseOutcome> StatusOne(MigrationRunner runner, BufferedLog buffer, bool failOnPending, FleetTarget target, CancellationToken cancel)
    {
        var status = await runner.StatusAsync(() => migrations, cancel);
        if (status is null) return new DatabaseOutcome { Result = FleetResult.Failed };
        foreach (var entry in status.Applied.Where(e => e.Dirty || e.Changed))
        {
            var label = AppliedMigration.LabelOf(entry.Version, entry.Name);
            buffer.Report(new MigrationDiagnostic(entry.Dirty ? DiagnosticCodes.DirtyMigration : DiagnosticCodes.AppliedMigrationChanged,
                failOnPending ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
                entry.Dirty ? $"version {label} is dirty: it failed part-way; see MigrateForce" : $"migration {label} was changed after it was applied: MigrateUp will refuse to run",
                entry.File, entry.File is null ? 0 : 1, entry.File is null ? 0 : 1));
        }
        if (failOnPending && status.Pending.Count > 0)
        {
            buffer.Report(new MigrationDiagnostic(DiagnosticCodes.PendingMigrations, DiagnosticSeverity.Error,
                $"{status.Pending.Count} migration(s) are not applied: {string.Join(", ", status.Pending.Take(10).Select(p => $"{p.Version} {p.Name}"))}" +
                $"{(status.Pending.Count > 10 ? ", …" : "")} (MigrationFailOnPending=true)"));
        }
        var failed = buffer.Errors.Any();
        return new DatabaseOutcome
        {
            Result = failed ? FleetResult.Failed : status.Pending.Count == 0 ? FleetResult.UpToDate : FleetResult.Pending,
            VersionBefore = status.CurrentVersion,
            VersionAfter = status.CurrentVersion,
            Pending = status.Pending.Count,
        };
    }

    private FleetReport Run(string operation, Work work, CancellationToken cancel)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        // Checksums once, before the workers share the set (each runner would otherwise compute them while connecting).
        foreach (var migration in migrations.Migrations) _ = migration.Up?.Checksum;

        var outcomes = new DatabaseOutcome?[targets.Count];
        var finished = new BlockingCollection<(int Index, BufferedLog Buffer)>();
        var next = -1;
        var stop = 0;
        var workerCount = Math.Max(1, Math.Min(options.Parallelism, targets.Count));
        // Dedicated threads: the runner blocks while its session opens, which on pool threads would starve the
        // pool (a new thread every half second) and serialize the very work meant to run in parallel.
        var workers = Enumerable.Range(0, workerCount).Select(_ => Task.Factory.StartNew(() =>
        {
            while (Volatile.Read(ref stop) == 0 && !cancel.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= targets.Count) return;
                var buffer = new BufferedLog();
                var outcome = RunOne(targets[i], buffer, work);
                outcomes[i] = outcome;
                if (outcome.Failed && options.StopOnFailure) Volatile.Write(ref stop, 1);
                finished.Add((i, buffer));
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        _ = Task.WhenAll(workers).ContinueWith(_ => finished.CompleteAdding(), TaskScheduler.Default);

        var done = 0;
        foreach (var (index, buffer) in finished.GetConsumingEnumerable())
        {
            done++;
            var outcome = outcomes[index]!;
            buffer.CopyTo(log, outcome.Database);
            log.Info($"[{done}/{targets.Count}] {outcome.ToLine()}");
        }

        for (var i = 0; i < targets.Count; i++)
        {
            if (outcomes[i] is not null) continue;
            outcomes[i] = new DatabaseOutcome
            {
                Database = targets[i].Connection.Description,
                Origin = targets[i].Origin,
                Result = FleetResult.NotStarted,
                NotStartedBecause = cancel.IsCancellationRequested ? "the run was cancelled" : "an earlier database failed and MigrationOnFailure=stop",
            };
            log.Info($"[-/{targets.Count}] {outcomes[i]!.ToLine()}");
        }

        return new FleetReport
        {
            Operation = operation,
            StartedAt = started,
            ElapsedMs = clock.ElapsedMilliseconds,
            Parallelism = workerCount,
            OnFailure = options.StopOnFailure ? "stop" : "continue",
            Migrations = migrations.Migrations.Count,
            LatestVersion = migrations.HighestVersion,
            Databases = outcomes.Select(o => o!).ToList(),
        };
    }

    private DatabaseOutcome RunOne(FleetTarget target, BufferedLog buffer, Work work)
    {
        var description = target.Connection.Description;
        var clock = Stopwatch.StartNew();
        DatabaseOutcome outcome;
        try
        {
            var runner = options.NewRunner(target.Connection, buffer);
            outcome = work(runner, target, buffer).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            buffer.Report(new MigrationDiagnostic(DiagnosticCodes.RunCancelled, DiagnosticSeverity.Error,
                "the run was cancelled: migrations reported above are committed, no other was started"));
            outcome = new DatabaseOutcome { Result = FleetResult.Failed };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // One database's surprise is that database's failure, not the whole run's.
            buffer.Report(DatabaseErrors.ToDiagnostic(e, target.Connection));
            outcome = new DatabaseOutcome { Result = FleetResult.Failed };
        }
        var errors = buffer.Errors.Select(d => new DatabaseOutcome.Problem(d.Code, $"{description}: {d.Message}", d.FilePath)).ToList();
        return outcome with
        {
            Database = description,
            Origin = target.Origin,
            ElapsedMs = clock.ElapsedMilliseconds,
            Result = errors.Count > 0 ? FleetResult.Failed : outcome.Result,
            Errors = errors,
        };
    }
}
