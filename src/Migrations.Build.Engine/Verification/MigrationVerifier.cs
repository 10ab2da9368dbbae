using System.Diagnostics;
using Migrations.Build.Engine.Database;
using Npgsql;

namespace Migrations.Build.Engine.Verification;

/// <summary>
/// MigrateVerify: on a throwaway database, applies every up in order and, after each, rolls it back with its
/// down and checks the schema equals the snapshot taken before that up; then applies the up again and goes
/// on. The first down that does not restore the schema is an error on that down file, with what differs.
/// Forward-only migrations are applied once each, which catches their SQL errors.
/// </summary>
public sealed class MigrationVerifier(ConnectionSettings connection, HistoryTable history, IMigrationLog log)
{
    public async Task<bool> VerifyAsync(MigrationSet set, CancellationToken cancel = default)
    {
        var quiet = new ErrorsOnlyLog(log);
        var runner = new MigrationRunner(connection, history, quiet, TimeSpan.FromSeconds(60));
        if (await runner.HistoryAsync(() => set, cancel) is not { } applied) return false;
        if (applied.Count > 0)
        {
            log.Report(new MigrationDiagnostic(DiagnosticCodes.VerifyDatabaseNotEmpty, DiagnosticSeverity.Error,
                $"MigrateVerify needs an empty database, but {connection.Description} already has {applied.Count} migration(s) applied: " +
                "point MigrationVerifyConnectionString at a throwaway database, or leave it unset to use a fresh local one"));
            return false;
        }

        var total = Stopwatch.StartNew();
        var options = SchemaSnapshotOptions.For(history);
        foreach (var migration in set.Migrations)
        {
            var clock = Stopwatch.StartNew();
            var target = new UpOptions { Target = migration.Version, AllowOutOfOrder = true };
            if (set.Layout == MigrationLayout.ForwardOnly || migration.Down is null)
            {
                if (!await runner.UpAsync(() => set, target, cancel)) return false;
                log.Info($"Verified {migration}: applies cleanly ({clock.ElapsedMilliseconds} ms)");
                continue;
            }

            var before = await CaptureAsync(options, cancel);
            if (!await runner.UpAsync(() => set, target, cancel)) return false;
            var afterUp = await CaptureAsync(options, cancel);
            if (!await runner.DownAsync(() => set, 1, null, refuseDestructive: false, cancel)) return false;
            var afterDown = await CaptureAsync(options, cancel);

            var difference = SchemaSnapshot.CompareRoundTrip(before, afterUp, afterDown);
            if (!difference.IsEmpty)
            {
                log.Report(new MigrationDiagnostic(DiagnosticCodes.DownDoesNotRestoreSchema, DiagnosticSeverity.Error,
                    $"rolling back {migration} does not restore the schema it started from: {difference.Describe()}",
                    migration.Down.Path, 1, 1));
                return false;
            }
            if (SchemaSnapshot.Compare(before, afterUp).IsEmpty)
            {
                log.Detail($"{migration}: its up changes no schema object (data only?)");
            }
            if (!await runner.UpAsync(() => set, target, cancel)) return false;
            log.Info($"Verified {migration}: up, down restores the schema, up again ({clock.ElapsedMilliseconds} ms)");
        }
        log.Info($"Verified {set.Migrations.Count} migration(s) on {connection.Description} in {total.ElapsedMilliseconds} ms.");
        return true;
    }

    private async Task<SchemaSnapshot> CaptureAsync(SchemaSnapshotOptions options, CancellationToken cancel)
    {
        await using var session = connection.CreateConnection();
        await session.OpenAsync(cancel);
        return await SchemaSnapshot.CaptureAsync(session, options, cancel);
    }

    /// <summary>The runner's own progress lines would drown the verifier's: keep only its findings.</summary>
    private sealed class ErrorsOnlyLog(IMigrationLog inner) : IMigrationLog
    {
        public void Info(string message) => inner.Detail(message);

        public void Detail(string message) => inner.Detail(message);

        public void Report(MigrationDiagnostic diagnostic) => inner.Report(diagnostic);
    }
}
