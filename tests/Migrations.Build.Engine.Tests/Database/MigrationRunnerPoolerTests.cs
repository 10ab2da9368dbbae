using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.LocalDatabase;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>
/// Concurrent runs through a real PgBouncer, in session and transaction pool mode, and directly: every migration is
/// applied exactly once, every run succeeds, and no lock outlives its run. In transaction mode a session-level lock
/// would stay behind in the pooled server session (and be re-entered by the next client that gets it).
/// </summary>
public sealed class MigrationRunnerPoolerTests : ClusterTest
{
    [Theory]
    [InlineData("transaction")]
    [InlineData("session")]
    [InlineData("direct")]
    public async Task Concurrent_runs_apply_each_migration_once_and_leave_no_lock(string mode)
    {
        var (database, folder) = Setup("pooled_" + mode);
        using var bouncer = mode == "direct" ? null : new PgBouncer(Cluster.ConnectionString(), mode);
        var target = bouncer?.Through(database) ?? database;
        const int rounds = 3, perRound = 6, runners = 4;

        for (var round = 0; round < rounds; round++)
        {
            for (var i = 1; i <= perRound; i++)
            {
                var version = round * perRound + i;
                var sql = version % perRound == 0
                    ? $"-- migrate:no-transaction\nCREATE TABLE t_{version} (id int);\nCREATE INDEX CONCURRENTLY ix_{version} ON t_{version} (id);\n"
                    : $"CREATE TABLE t_{version} (id int);\nCREATE TYPE e_{version} AS ENUM ('a');\nSELECT pg_sleep(0.05);\n";
                File.WriteAllText(Path.Combine(folder, $"{version:000}_m{version}.sql"), sql);
            }
            var set = Load(folder);
            var logs = Enumerable.Range(0, runners).Select(_ => new RecordingLog()).ToList();
            var runs = logs.Select(log => Task.Run(() =>
                new MigrationRunner(ConnectionSettings.Parse(target, "test"), new HistoryTable("public", "schema_migrations"), log, TimeSpan.FromSeconds(60))
                    .UpAsync(() => set, new UpOptions()))).ToList();
            var results = await Task.WhenAll(runs);

            for (var r = 0; r < runners; r++) Assert.True(results[r], $"run {r} of round {round} failed: {string.Join("\n", logs[r].Diagnostics)}\n{bouncer?.Log}");
            Assert.All(logs, log => Assert.Empty(log.Diagnostics));
            var total = (round + 1) * perRound;
            Assert.Equal(total, TestSql.Scalar(database, "SELECT count(*) FROM schema_migrations WHERE NOT dirty"));
            Assert.Equal(total, TestSql.Scalar(database, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\\_%'"));
            // Each migration's "Applied" line comes from exactly one run.
            for (var v = round * perRound + 1; v <= total; v++)
            {
                var name = $"Applied {v:000}_m{v} (";
                Assert.Equal(1, logs.Sum(log => log.Infos.Count(i => i.StartsWith(name, StringComparison.Ordinal))));
            }
            // No lock outlives its run, whichever server session the pooler kept.
            Assert.True(await TestSql.WaitUntil(() => TestSql.Scalar(database, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0),
                "an advisory lock outlived its run");
        }
    }

    [Fact]
    public async Task Status_takes_no_lock_and_says_a_run_is_in_progress()
    {
        var (database, folder) = Setup("status_in_progress");
        File.WriteAllText(Path.Combine(folder, "001_a.sql"), "CREATE TABLE a (id int);\n");
        var set = Load(folder);
        var history = new HistoryTable("public", "schema_migrations");
        var settings = ConnectionSettings.Parse(database, "test");
        var runner = new MigrationRunner(settings, history, new RecordingLog(), TimeSpan.FromSeconds(1));

        using (RunLock.Acquire(settings, history.LockKey, TimeSpan.FromSeconds(5), new RecordingLog(), history.DisplayName, CancellationToken.None))
        {
            // A lock timeout of 1 s: a status that waited for the lock would fail with MIG205.
            var status = await runner.StatusAsync(() => set);
            Assert.NotNull(status);
            Assert.True(status.RunInProgress);
            Assert.Contains("A migration run is in progress", string.Join("\n", status.ToLines()));
            Assert.Single(status.Pending);
        }
        Assert.False((await runner.StatusAsync(() => set))!.RunInProgress);
    }

    [Fact]
    public async Task A_dirty_migration_names_the_invalid_index_a_crashed_concurrent_build_left()
    {
        var (database, folder) = Setup("invalid_index");
        var file = Path.Combine(folder, "001_unique_email.sql");
        File.WriteAllText(file, "-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email);\n");
        var set = Load(folder);
        TestSql.Execute(database, "CREATE TABLE users (email text)");
        TestSql.Execute(database, "INSERT INTO users VALUES ('a'), ('a')");
        var runner = new MigrationRunner(ConnectionSettings.Parse(database, "test"), new HistoryTable("public", "schema_migrations"), new RecordingLog(), TimeSpan.FromSeconds(5));
        // The duplicate fails the build after PostgreSQL created the index: it is left INVALID, and the row dirty.
        Assert.False(await runner.UpAsync(() => set, new UpOptions()));

        var log = new RecordingLog();
        var rerun = new MigrationRunner(ConnectionSettings.Parse(database, "test"), new HistoryTable("public", "schema_migrations"), log, TimeSpan.FromSeconds(5));
        Assert.False(await rerun.UpAsync(() => set, new UpOptions()));
        var dirty = Assert.Single(log.Diagnostics);
        Assert.Equal((DiagnosticCodes.DirtyMigration, file), (dirty.Code, dirty.FilePath));
        Assert.Contains("index public.users_email is INVALID", dirty.Message);
        Assert.Contains("DROP INDEX CONCURRENTLY public.users_email", dirty.Message);
    }
}
