using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.LocalDatabase;
using Npgsql;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>
/// A connection lost mid-run without any error from the server: the pipelined batch's results stop. The run
/// must report the statement the server was on, count as applied only the migrations whose COMMIT it saw
/// complete, and leave a database that a second run completes. The server sends each statement's outcome as it
/// completes (an error barrier follows each), so what the run saw is exactly what the server had done. Against the real PostgreSQL server of this machine.
/// </summary>
public sealed class MigrationRunnerConnectionLossTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _root;

    public MigrationRunnerConnectionLossTests() => _root = Path.Combine(_temp.Path, "obj", "migrations-db");

    public void Dispose()
    {
        LocalPostgresCluster.Delete(_root);
        _temp.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_connection_lost_mid_batch_counts_only_the_commits_it_saw_and_a_second_run_completes(bool singleTransaction)
    {
        var cluster = LocalPostgresCluster.EnsureStarted(_root);
        var database = cluster.CreateDatabase("connection_loss");
        // 002 waits on a row of "hold" while the test cuts the connection; with the row gone it runs at once.
        TestSql.Execute(database, "CREATE TABLE hold (x int)");
        TestSql.Execute(database, "INSERT INTO hold VALUES (1)");
        var migrations = Directory.CreateDirectory(Path.Combine(_temp.Path, "migrations")).FullName;
        File.WriteAllText(Path.Combine(migrations, "001_first.sql"), "CREATE TABLE first (id int);\n");
        var second = Path.Combine(migrations, "002_second.sql");
        File.WriteAllText(second, "CREATE TABLE second (id int);\n\nSELECT pg_sleep(60) FROM hold;\n");
        File.WriteAllText(Path.Combine(migrations, "003_third.sql"), "CREATE TABLE third (id int);\n");
        var set = MigrationSetLoader.Load(new MigrationSetOptions(migrations) { RequireDown = false });
        var history = new HistoryTable("public", "schema_migrations");
        var options = new UpOptions { SingleTransaction = singleTransaction };

        using var proxy = new SeveringProxy(cluster.Port);
        var throughProxy = new NpgsqlConnectionStringBuilder(database) { Port = proxy.Port }.ConnectionString;
        var log = new RecordingLog();
        var runner = new MigrationRunner(ConnectionSettings.Parse(throughProxy, "test"), history, log, TimeSpan.FromSeconds(30));
        var run = Task.Run(() => runner.UpAsync(() => set, options));
        Assert.True(await TestSql.WaitUntil(() => TestSql.RunnerSessions(database, "state = 'active' AND query LIKE '%pg_sleep%'") == 1), "the run never reached 002's pg_sleep");
        // The server sent 002's CREATE TABLE outcome before it began to sleep; let the proxy relay it to the run
        // before the cut (on a busy machine the relay lags), as a real network would have.
        if (!singleTransaction) Assert.True(await TestSql.WaitUntil(() => { lock (log.Infos) return log.Infos.Any(i => i.StartsWith("Applied 001_first", StringComparison.Ordinal)); }));
        await Task.Delay(TimeSpan.FromSeconds(1));
        proxy.Sever();

        Assert.False(await run);
        var failure = Assert.Single(log.Diagnostics);
        Assert.Equal(DiagnosticCodes.MigrationFailed, failure.Code);
        Assert.Contains("the connection was lost", failure.Message);
        Assert.Contains("run MigrateStatus", failure.Message);
        var applied = log.Infos.Where(i => i.StartsWith("Applied ")).Select(i => i[..i.IndexOf(" (")]).ToList();
        // The last outcome back was 002's CREATE TABLE: the error points at the statement after it.
        Assert.Equal((second, 3, 1), (failure.FilePath, failure.Line, failure.Column));
        Assert.Contains("no outcome came back from this statement on", failure.Message);
        // 001's COMMIT was seen complete: it is reported applied, unless it shares the run's one transaction.
        Assert.Equal(singleTransaction ? [] : ["Applied 001_first"], applied);
        Assert.Contains(singleTransaction ? "share one transaction" : "after it in the same batch did is unknown", failure.Message);

        // The server still runs 002 for the lost client: end that session as an operator would, then the database
        // holds exactly what was committed, and a second run completes it.
        TestSql.Execute(database, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'Migrations.Build'");
        Assert.True(await TestSql.WaitUntil(() => TestSql.RunnerSessions(database, "true") == 0));
        Assert.Equal(singleTransaction ? 0 : 1, TestSql.Scalar(database, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(singleTransaction ? 0 : 1, TestSql.Scalar(database, "SELECT count(*) FROM pg_tables WHERE tablename IN ('first', 'second', 'third')"));

        TestSql.Execute(database, "DELETE FROM hold");
        var rerun = new MigrationRunner(ConnectionSettings.Parse(database, "test"), history, new RecordingLog(), TimeSpan.FromSeconds(30));
        Assert.True(await rerun.UpAsync(() => set, options));
        Assert.Equal(3, TestSql.Scalar(database, "SELECT count(*) FROM schema_migrations WHERE NOT dirty"));
        Assert.Equal(3, TestSql.Scalar(database, "SELECT count(*) FROM pg_tables WHERE tablename IN ('first', 'second', 'third')"));
    }

    [Fact]
    public async Task A_connection_lost_in_a_non_transactional_migration_leaves_it_dirty_with_recovery_advice()
    {
        var cluster = LocalPostgresCluster.EnsureStarted(_root);
        var database = cluster.CreateDatabase("connection_loss_no_transaction");
        TestSql.Execute(database, "CREATE TABLE hold (x int)");
        TestSql.Execute(database, "INSERT INTO hold VALUES (1)");
        var migrations = Directory.CreateDirectory(Path.Combine(_temp.Path, "migrations")).FullName;
        File.WriteAllText(Path.Combine(migrations, "001_first.sql"), "CREATE TABLE first (id int);\n");
        var second = Path.Combine(migrations, "002_second.sql");
        File.WriteAllText(second, "-- migrate:no-transaction\nCREATE TABLE second (id int);\nSELECT pg_sleep(60) FROM hold;\nCREATE TABLE third (id int);\n");
        var set = MigrationSetLoader.Load(new MigrationSetOptions(migrations) { RequireDown = false });
        var history = new HistoryTable("public", "schema_migrations");

        using var proxy = new SeveringProxy(cluster.Port);
        var throughProxy = new NpgsqlConnectionStringBuilder(database) { Port = proxy.Port }.ConnectionString;
        var log = new RecordingLog();
        var runner = new MigrationRunner(ConnectionSettings.Parse(throughProxy, "test"), history, log, TimeSpan.FromSeconds(30));
        var run = Task.Run(() => runner.UpAsync(() => set, new UpOptions()));
        Assert.True(await TestSql.WaitUntil(() => TestSql.RunnerSessions(database, "state = 'active' AND query LIKE '%pg_sleep%'") == 1), "the run never reached 002's pg_sleep");
        proxy.Sever();

        Assert.False(await run);
        var failure = Assert.Single(log.Diagnostics);
        Assert.Equal(DiagnosticCodes.NonTransactionalMigrationFailed, failure.Code);
        Assert.Equal((second, 3, 1), (failure.FilePath, failure.Line, failure.Column));
        Assert.Contains("the connection was lost (", failure.Message);
        Assert.Contains("while this statement ran; whether it completed is unknown", failure.Message);
        Assert.Contains("stopped at statement 2 of 3; statement(s) already done: line 2 (CREATE TABLE SECOND)", failure.Message);
        Assert.Contains("dotnet msbuild -t:MigrateForce -p:MigrationVersion=2 (if its changes are complete) or -p:MigrationVersion=1", failure.Message);

        // The row stays dirty, so the next run refuses to go past it until it is settled with MigrateForce.
        TestSql.Execute(database, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'Migrations.Build'");
        Assert.True(await TestSql.WaitUntil(() => TestSql.RunnerSessions(database, "true") == 0));
        Assert.Equal(1, TestSql.Scalar(database, "SELECT count(*) FROM schema_migrations WHERE version = 2 AND dirty"));
        var rerunLog = new RecordingLog();
        var rerun = new MigrationRunner(ConnectionSettings.Parse(database, "test"), history, rerunLog, TimeSpan.FromSeconds(30));
        Assert.False(await rerun.UpAsync(() => set, new UpOptions()));
        Assert.Equal(DiagnosticCodes.DirtyMigration, Assert.Single(rerunLog.Diagnostics).Code);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_command_timeout_set_in_the_connection_string_is_named_as_the_cause(bool noTransaction)
    {
        var cluster = LocalPostgresCluster.EnsureStarted(_root);
        var database = cluster.CreateDatabase("command_timeout");
        var migrations = Directory.CreateDirectory(Path.Combine(_temp.Path, "migrations")).FullName;
        var slow = Path.Combine(migrations, "001_slow.sql");
        File.WriteAllText(slow, (noTransaction ? "-- migrate:no-transaction\n" : "") + "SELECT pg_sleep(5);\n");
        var set = MigrationSetLoader.Load(new MigrationSetOptions(migrations) { RequireDown = false });
        var log = new RecordingLog();
        var runner = new MigrationRunner(ConnectionSettings.Parse(database + ";Command Timeout=1", "test"), new HistoryTable("public", "schema_migrations"),
            log, TimeSpan.FromSeconds(30));

        Assert.False(await runner.UpAsync(() => set, new UpOptions()));
        var failure = Assert.Single(log.Diagnostics);
        Assert.Equal(noTransaction ? DiagnosticCodes.NonTransactionalMigrationFailed : DiagnosticCodes.MigrationFailed, failure.Code);
        Assert.Equal(slow, failure.FilePath);
        Assert.True(failure.Message.Contains("the command timed out (Command Timeout in the connection string)"), failure.Message);
    }
}
