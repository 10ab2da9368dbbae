using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.LocalDatabase;
using Npgsql;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>
/// A cancelled run leaves no session behind: in a long-lived MSBuild node (IDE, node reuse) a session that
/// outlived its run would keep the advisory lock, and every later run would time out waiting for it.
/// Against the real PostgreSQL server of this machine.
/// </summary>
public sealed class MigrationRunnerCancellationTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _root;

    public MigrationRunnerCancellationTests() => _root = Path.Combine(_temp.Path, "obj", "migrations-db");

    public void Dispose()
    {
        LocalPostgresCluster.Delete(_root);
        _temp.Dispose();
    }

    [Fact]
    public async Task Cancelling_a_run_blocked_while_opening_its_session_closes_that_session()
    {
        var cluster = LocalPostgresCluster.EnsureStarted(_root);
        var database = cluster.CreateDatabase("cancel_test");
        var migrations = Directory.CreateDirectory(Path.Combine(_temp.Path, "migrations")).FullName;
        File.WriteAllText(Path.Combine(migrations, "001_first.sql"), "CREATE TABLE first (id int);\n");
        var set = MigrationSetLoader.Load(new MigrationSetOptions(migrations) { RequireDown = false });
        var settings = ConnectionSettings.Parse(database, "test");
        var runner = new MigrationRunner(settings, new HistoryTable("public", "schema_migrations"), new RecordingLog(), TimeSpan.FromSeconds(30));
        Assert.True(await runner.UpAsync(() => set, new UpOptions()));

        // Another session locks the history table: the run's first read of it blocks (no timeout by default).
        await using var blocker = new NpgsqlConnection(database);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        using var cancel = new CancellationTokenSource();
        // On a thread of its own, as in MSBuild, whose Cancel comes from another thread while the task blocks.
        var run = Task.Run(() => runner.UpAsync(() => set, new UpOptions(), cancel.Token));
        Assert.True(await TestSql.WaitUntil(() => TestSql.RunnerSessions(database, "state = 'active' AND wait_event_type = 'Lock'") == 1), "the run never blocked on the table lock");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        // Still locked by the blocker: the run's session must be gone anyway, and with it its advisory lock.
        Assert.True(await TestSql.WaitUntil(() => TestSql.RunnerSessions(database, "true") == 0), "the cancelled run's session is still open");
        Assert.Equal(0L, TestSql.Scalar(database, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cancelling_during_a_migration_reports_what_committed_and_what_was_cancelled(bool noTransaction)
    {
        var cluster = LocalPostgresCluster.EnsureStarted(_root);
        var database = cluster.CreateDatabase("cancel_mid_run");
        var migrations = Directory.CreateDirectory(Path.Combine(_temp.Path, "migrations")).FullName;
        File.WriteAllText(Path.Combine(migrations, "001_first.sql"), "CREATE TABLE first (id int);\n");
        var second = Path.Combine(migrations, "002_second.sql");
        File.WriteAllText(second, (noTransaction ? "-- migrate:no-transaction\n" : "") + "CREATE TABLE second (id int);\nSELECT pg_sleep(60);\n");
        File.WriteAllText(Path.Combine(migrations, "003_third.sql"), "CREATE TABLE third (id int);\n");
        var set = MigrationSetLoader.Load(new MigrationSetOptions(migrations) { RequireDown = false });
        var log = new RecordingLog();
        var runner = new MigrationRunner(ConnectionSettings.Parse(database, "test"), new HistoryTable("public", "schema_migrations"), log, TimeSpan.FromSeconds(30));

        using var cancel = new CancellationTokenSource();
        var run = Task.Run(() => runner.UpAsync(() => set, new UpOptions(), cancel.Token));
        Assert.True(await TestSql.WaitUntil(() => TestSql.RunnerSessions(database, "state = 'active' AND query LIKE '%pg_sleep%'") == 1), "the run never reached 002's pg_sleep");
        cancel.Cancel();

        // Not an exception: a coded error at the statement, after the report of what committed.
        Assert.False(await run);
        Assert.Contains("Applied 001_first", string.Join("\n", log.Infos));
        // The cancelled migration was seen starting, not finishing; the one after it never started.
        Assert.Contains(log.Infos, i => i.StartsWith("Applying 002_second", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Infos, i => i.StartsWith("Applied 002_second", StringComparison.Ordinal) || i.Contains("003_third"));
        var failure = Assert.Single(log.Diagnostics);
        Assert.Equal(DiagnosticCodes.RunCancelled, failure.Code);
        Assert.Equal((second, noTransaction ? 3 : 2, 1), (failure.FilePath, failure.Line, failure.Column));
        Assert.Contains("the run was cancelled while this statement ran", failure.Message);
        Assert.Contains(noTransaction ? "Version 2 is now marked dirty" : "this one was rolled back and nothing after it ran", failure.Message);

        Assert.True(await TestSql.WaitUntil(() => TestSql.RunnerSessions(database, "true") == 0), "the cancelled run's session is still open");
        Assert.Equal(noTransaction ? 2 : 1, TestSql.Scalar(database, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(noTransaction, TestSql.Scalar(database, "SELECT count(*) FROM schema_migrations WHERE dirty") == 1);
        Assert.Equal(noTransaction ? 2 : 1, TestSql.Scalar(database, "SELECT count(*) FROM pg_tables WHERE tablename IN ('first', 'second', 'third')"));
    }
}
