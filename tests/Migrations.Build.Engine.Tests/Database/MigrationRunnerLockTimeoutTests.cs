using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.LocalDatabase;
using Npgsql;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>
/// Lock-safe DDL: a migration's statements wait for a lock only up to their lock timeout, a transactional one is
/// retried after one, and the timeouts of one migration reach neither the next one nor the history write.
/// A session of the test holds the locks. Against the real PostgreSQL server of this machine.
/// </summary>
public sealed class MigrationRunnerLockTimeoutTests : ClusterTest
{
    private static MigrationRunner Runner(string database, RecordingLog log, TimeSpan? lockTimeout, int retries = 3, TimeSpan? retryDelay = null) =>
        new(ConnectionSettings.Parse(database, "test"), new HistoryTable("public", "schema_migrations"), log, TimeSpan.FromSeconds(30))
        {
            StatementLockTimeout = lockTimeout,
            LockRetries = retries,
            LockRetryDelay = retryDelay ?? TimeSpan.FromSeconds(1),
        };


    /// <summary>A session of the test that ran <paramref name="sql"/> in a transaction it keeps open, as a long report would: it holds the locks.</summary>
    private static NpgsqlConnection HoldLock(string database, string sql)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false, ApplicationName = "test" }.ConnectionString);
        connection.Open();
        using (var begin = new NpgsqlCommand("BEGIN", connection)) begin.ExecuteNonQuery();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
        return connection;
    }

    [Fact]
    public async Task A_lock_timeout_is_retried_from_the_migration_that_timed_out_and_succeeds_once_the_lock_is_released()
    {
        var (database, folder) = Setup("lock_retry");
        File.WriteAllText(Path.Combine(folder, "001_accounts.sql"), "CREATE TABLE accounts (id int);\n");
        Assert.True(await Runner(database, new RecordingLog(), null).UpAsync(() => Load(folder), new UpOptions()));
        // 002 commits before 003 times out: a retry that ran it again would fail (the table exists).
        File.WriteAllText(Path.Combine(folder, "002_before.sql"), "CREATE TABLE before_lock (id int);\n");
        var alter = Path.Combine(folder, "003_alter.sql");
        File.WriteAllText(alter, "CREATE TABLE in_003 (id int);\n\nALTER TABLE accounts ADD COLUMN email text;\n");
        File.WriteAllText(Path.Combine(folder, "004_after.sql"), "CREATE TABLE after_lock (id int);\n");

        var blocker = HoldLock(database, "SELECT count(*) FROM accounts");
        var log = new RecordingLog();
        var run = Task.Run(() => Runner(database, log, TimeSpan.FromMilliseconds(200)).UpAsync(() => Load(folder), new UpOptions()));
        bool Retrying() { lock (log.Infos) return log.Infos.Any(i => i.StartsWith("lock timeout on", StringComparison.Ordinal)); }
        Assert.True(await TestSql.WaitUntil(Retrying), "the ALTER TABLE never timed out");
        await blocker.DisposeAsync(); // ends the transaction: the lock is free for the retry

        Assert.True(await run, string.Join("\n", log.Diagnostics.Select(d => d.Message)));
        Assert.Empty(log.Diagnostics);
        Assert.Contains($"lock timeout on accounts at {alter}(3): retry 1 of 3 in 1 s", log.Infos);
        Assert.Equal(4, TestSql.Scalar(database, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(1, TestSql.Scalar(database, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'email'"));
        Assert.Equal(4, TestSql.Scalar(database, "SELECT count(*) FROM pg_tables WHERE tablename IN ('accounts', 'before_lock', 'in_003', 'after_lock')"));
    }

    [Fact]
    public async Task When_the_retries_run_out_the_error_names_the_lock_and_its_holder_and_the_database_is_unchanged()
    {
        var (database, folder) = Setup("lock_exhausted");
        File.WriteAllText(Path.Combine(folder, "001_accounts.sql"), "CREATE TABLE accounts (id int);\n");
        Assert.True(await Runner(database, new RecordingLog(), null).UpAsync(() => Load(folder), new UpOptions()));
        var alter = Path.Combine(folder, "002_alter.sql");
        File.WriteAllText(alter, "CREATE TABLE in_002 (id int);\nALTER TABLE accounts ADD COLUMN email text;\n");

        await using var blocker = HoldLock(database, "SELECT count(*) FROM accounts");
        var log = new RecordingLog();
        Assert.False(await Runner(database, log, TimeSpan.FromMilliseconds(100), retries: 2, retryDelay: TimeSpan.FromMilliseconds(50))
            .UpAsync(() => Load(folder), new UpOptions()));

        Assert.Equal(["retry 1 of 2 in 0.05 s", "retry 2 of 2 in 0.1 s"],
            log.Infos.Where(i => i.StartsWith("lock timeout on accounts", StringComparison.Ordinal)).Select(i => i[(i.IndexOf("): ", StringComparison.Ordinal) + 3)..]));
        var error = Assert.Single(log.Diagnostics);
        Assert.Equal((DiagnosticCodes.StatementLockTimedOut, alter, 2), (error.Code, error.FilePath, error.Line));
        Assert.Contains("waited longer than its lock timeout (100 ms) for a lock on 'accounts' that another session holds", error.Message);
        Assert.Contains($"pid {blocker.ProcessID}, application 'test', AccessShareLock, idle in transaction", error.Message);
        Assert.Contains("on each of 3 attempts", error.Message);
        Assert.Contains("The file is not at fault", error.Message);
        Assert.Equal(1, TestSql.Scalar(database, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(0, TestSql.Scalar(database, "SELECT count(*) FROM pg_tables WHERE tablename = 'in_002'"));
        Assert.Equal(0, TestSql.Scalar(database, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'email'"));
    }

    [Fact]
    public async Task A_non_transactional_migration_is_not_retried_after_a_lock_timeout()
    {
        var (database, folder) = Setup("lock_no_transaction");
        File.WriteAllText(Path.Combine(folder, "001_accounts.sql"), "CREATE TABLE accounts (id int);\n");
        Assert.True(await Runner(database, new RecordingLog(), null).UpAsync(() => Load(folder), new UpOptions()));
        File.WriteAllText(Path.Combine(folder, "002_alter.sql"), "-- migrate:no-transaction\nALTER TABLE accounts ADD COLUMN email text;\n");

        await using var blocker = HoldLock(database, "SELECT count(*) FROM accounts");
        var log = new RecordingLog();
        Assert.False(await Runner(database, log, TimeSpan.FromMilliseconds(100)).UpAsync(() => Load(folder), new UpOptions()));

        Assert.DoesNotContain(log.Infos, i => i.StartsWith("lock timeout", StringComparison.Ordinal));
        var error = Assert.Single(log.Diagnostics);
        Assert.Equal(DiagnosticCodes.NonTransactionalMigrationFailed, error.Code);
        Assert.Contains("SQLSTATE 55P03", error.Message);
        Assert.Contains("a migration outside a transaction is not retried", error.Message);
    }

    [Fact]
    public async Task Directives_override_the_property_and_reach_neither_the_next_migration_nor_the_runner_s_session()
    {
        var (database, folder) = Setup("lock_directives");
        const string record = "SELECT current_setting('lock_timeout') AS lock, current_setting('statement_timeout') AS statement";
        File.WriteAllText(Path.Combine(folder, "001_directives.sql"),
            $"-- migrate:lock-timeout 7s\n-- migrate:statement-timeout 10min\nCREATE TABLE seen_001 AS {record};\n");
        File.WriteAllText(Path.Combine(folder, "002_default.sql"), $"CREATE TABLE seen_002 AS {record};\n");
        File.WriteAllText(Path.Combine(folder, "003_outside.sql"),
            $"-- migrate:no-transaction\n-- migrate:lock-timeout 3s\n-- migrate:statement-timeout 1min\nCREATE TABLE seen_003 AS {record};\n");
        File.WriteAllText(Path.Combine(folder, "004_outside_default.sql"), $"-- migrate:no-transaction\nCREATE TABLE seen_004 AS {record};\n");
        File.WriteAllText(Path.Combine(folder, "005_default.sql"), $"CREATE TABLE seen_005 AS {record};\n");

        var log = new RecordingLog();
        Assert.True(await Runner(database, log, TimeSpan.FromMilliseconds(200)).UpAsync(() => Load(folder), new UpOptions()),
            string.Join("\n", log.Diagnostics.Select(d => d.Message)));

        Assert.Equal(("7s", "10min"), Seen(database, "seen_001"));
        Assert.Equal(("200ms", "0"), Seen(database, "seen_002"));
        Assert.Equal(("3s", "1min"), Seen(database, "seen_003"));
        Assert.Equal(("200ms", "0"), Seen(database, "seen_004"));
        Assert.Equal(("200ms", "0"), Seen(database, "seen_005"));
    }

    [Fact]
    public async Task Without_a_lock_timeout_a_migration_after_one_with_directives_runs_with_the_session_s_own_settings()
    {
        var (database, folder) = Setup("lock_reset");
        const string record = "SELECT current_setting('lock_timeout') AS lock, current_setting('statement_timeout') AS statement";
        File.WriteAllText(Path.Combine(folder, "001_outside.sql"),
            $"-- migrate:no-transaction\n-- migrate:lock-timeout 3s\n-- migrate:statement-timeout 1min\nCREATE TABLE seen_001 AS {record};\n");
        File.WriteAllText(Path.Combine(folder, "002_outside.sql"), $"-- migrate:no-transaction\nCREATE TABLE seen_002 AS {record};\n");
        File.WriteAllText(Path.Combine(folder, "003_inside.sql"), $"-- migrate:lock-timeout 4s\nCREATE TABLE seen_003 AS {record};\n");
        File.WriteAllText(Path.Combine(folder, "004_inside.sql"), $"CREATE TABLE seen_004 AS {record};\n");

        Assert.True(await Runner(database, new RecordingLog(), null).UpAsync(() => Load(folder), new UpOptions()));

        Assert.Equal(("3s", "1min"), Seen(database, "seen_001"));
        Assert.Equal(("0", "0"), Seen(database, "seen_002"));
        Assert.Equal(("4s", "0"), Seen(database, "seen_003"));
        Assert.Equal(("0", "0"), Seen(database, "seen_004"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_history_write_waits_as_the_runner_does_not_under_the_migration_s_lock_timeout(bool singleTransaction)
    {
        var (database, folder) = Setup(singleTransaction ? "lock_history_all" : "lock_history");
        File.WriteAllText(Path.Combine(folder, "001_one.sql"), "CREATE TABLE one (id int);\n");
        Assert.True(await Runner(database, new RecordingLog(), null).UpAsync(() => Load(folder), new UpOptions()));
        File.WriteAllText(Path.Combine(folder, "002_two.sql"), "-- migrate:lock-timeout 100ms\nCREATE TABLE two (id int);\n");

        // SHARE lets the runner read the history, and holds up its INSERT: far longer than the migration's 100 ms.
        var blocker = HoldLock(database, "LOCK TABLE schema_migrations IN SHARE MODE");
        var log = new RecordingLog();
        var run = Task.Run(() => Runner(database, log, TimeSpan.FromMilliseconds(100), retries: 0).UpAsync(() => Load(folder), new UpOptions { SingleTransaction = singleTransaction }));
        var waitedLong = await TestSql.WaitUntil(() => run.IsCompleted || TestSql.Scalar(database,
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid " +
            "WHERE a.application_name = 'Migrations.Build' AND NOT l.granted AND l.waitstart < clock_timestamp() - interval '1 second'") == 1);
        await blocker.DisposeAsync();

        Assert.True(await run, string.Join("\n", log.Diagnostics.Select(d => d.Message)));
        Assert.True(waitedLong, "the history write did not wait for the lock");
        Assert.Equal(2, TestSql.Scalar(database, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task A_statement_timeout_directive_stops_a_long_statement_and_says_which_setting_to_raise()
    {
        var (database, folder) = Setup("statement_timeout");
        var slow = Path.Combine(folder, "001_slow.sql");
        File.WriteAllText(slow, "-- migrate:statement-timeout 300ms\nCREATE TABLE slow (id int);\nSELECT pg_sleep(30);\n");
        var log = new RecordingLog();

        Assert.False(await Runner(database, log, TimeSpan.FromSeconds(5)).UpAsync(() => Load(folder), new UpOptions()));

        var error = Assert.Single(log.Diagnostics);
        Assert.Equal((DiagnosticCodes.MigrationFailed, slow, 3), (error.Code, error.FilePath, error.Line));
        Assert.Contains("SQLSTATE 57014", error.Message);
        Assert.Contains("the statement ran longer than the file's '-- migrate:statement-timeout 300ms'", error.Message);
        Assert.DoesNotContain(log.Infos, i => i.StartsWith("lock timeout", StringComparison.Ordinal));
        Assert.Equal(0, TestSql.Scalar(database, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(0, TestSql.Scalar(database, "SELECT count(*) FROM pg_tables WHERE tablename = 'slow'"));
    }

    private static (string Lock, string Statement) Seen(string database, string table)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"SELECT lock, statement FROM {table}", connection);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.GetString(0), reader.GetString(1));
    }
}
