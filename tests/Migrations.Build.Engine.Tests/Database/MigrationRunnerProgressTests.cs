using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.LocalDatabase;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>
/// A pipelined run says what it does as it happens: each migration as it starts and as it commits, while the
/// batch is still running, and a line per interval for a statement that keeps running. And the error barriers that
/// make that possible never let a migration run after one that failed, even at COMMIT.
/// Against the real PostgreSQL server of this machine.
/// </summary>
public sealed class MigrationRunnerProgressTests : ClusterTest
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Each_migration_is_reported_when_it_starts_and_commits_and_a_long_statement_while_it_runs(bool noTransaction)
    {
        var (database, folder) = Setup(noTransaction ? "progress_nt" : "progress");
        File.WriteAllText(Path.Combine(folder, "001_first.sql"), "CREATE TABLE first (id int);\n");
        var slow = Path.Combine(folder, "002_slow.sql");
        File.WriteAllText(slow, (noTransaction ? "-- migrate:no-transaction\n" : "") + "CREATE TABLE slow (id int);\n\nSELECT pg_sleep(4);\n");
        File.WriteAllText(Path.Combine(folder, "003_third.sql"), "CREATE TABLE third (id int);\n");
        var set = Load(folder);
        var log = new RecordingLog();
        var runner = new MigrationRunner(ConnectionSettings.Parse(database, "test"), new HistoryTable("public", "schema_migrations"), log,
            TimeSpan.FromSeconds(30), progressInterval: TimeSpan.FromSeconds(1));

        var run = Task.Run(() => runner.UpAsync(() => set, new UpOptions()));
        Assert.True(await TestSql.WaitUntil(() => TestSql.RunnerSessions(database, "state = 'active' AND query LIKE '%pg_sleep%'") == 1), "the run never reached 002's pg_sleep");
        // While 002 sleeps, inside the same pipelined batch: 001's commit and 002's start are already out.
        lock (log.Infos)
        {
            Assert.Equal(["Applying 001_first …", "Applied 001_first", $"Applying 002_slow{(noTransaction ? " (outside a transaction)" : "")} …"],
                log.Infos.Select(i => i.Split(" (")[0] == "Applied 001_first" ? "Applied 001_first" : i));
        }
        var line = noTransaction ? 4 : 3;
        Assert.True(await TestSql.WaitUntil(() => { lock (log.Infos) return log.Infos.Any(i => i.StartsWith("Still applying 002_slow after ", StringComparison.Ordinal)); }),
            "no progress line while the statement ran");
        Assert.True(await run);

        var still = log.Infos.First(i => i.StartsWith("Still applying", StringComparison.Ordinal));
        Assert.Matches(@"^Still applying 002_slow after \d+ s: statement 2 of 2 \(SELECT PG_SLEEP\) at .+ is running$", still);
        Assert.Contains($"{slow}({line},1)", still);
        var order = log.Infos.Where(i => !i.StartsWith("Still", StringComparison.Ordinal)).Select(i => i.Split(" (")[0].TrimEnd(' ', '…')).ToList();
        Assert.Equal(["Applying 001_first", "Applied 001_first", "Applying 002_slow", "Applied 002_slow", "Applying 003_third", "Applied 003_third", "Applied 3 migration(s) in"],
            order.Select(o => o.StartsWith("Applied 3", StringComparison.Ordinal) ? "Applied 3 migration(s) in" : o));
    }

    [Fact]
    public async Task A_migration_that_fails_at_COMMIT_stops_the_batch_before_the_next_one_runs()
    {
        var (database, folder) = Setup("commit_failure");
        File.WriteAllText(Path.Combine(folder, "001_parent.sql"), "CREATE TABLE parent (id int PRIMARY KEY);\n");
        // A deferred foreign key is checked at COMMIT: the statements succeed, the COMMIT fails.
        var child = Path.Combine(folder, "002_child.sql");
        File.WriteAllText(child, "CREATE TABLE child (parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO child VALUES (42);\n");
        File.WriteAllText(Path.Combine(folder, "003_after.sql"), "CREATE TABLE after_child (id int);\n");
        var set = Load(folder);
        var log = new RecordingLog();
        var runner = new MigrationRunner(ConnectionSettings.Parse(database, "test"), new HistoryTable("public", "schema_migrations"), log, TimeSpan.FromSeconds(30));

        Assert.False(await runner.UpAsync(() => set, new UpOptions()));
        var failure = Assert.Single(log.Diagnostics);
        Assert.Equal((DiagnosticCodes.MigrationFailed, child), (failure.Code, failure.FilePath));
        Assert.Contains("SQLSTATE 23503", failure.Message);
        Assert.Equal(1, TestSql.Scalar(database, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(1, TestSql.Scalar(database, "SELECT count(*) FROM pg_tables WHERE tablename IN ('parent', 'child', 'after_child')"));
        Assert.DoesNotContain(log.Infos, i => i.Contains("003_after"));
    }

    [Fact]
    public async Task A_failing_statement_leaves_later_migrations_of_the_batch_unrun()
    {
        var (database, folder) = Setup("statement_failure");
        File.WriteAllText(Path.Combine(folder, "001_one.sql"), "CREATE TABLE one (id int);\n");
        var two = Path.Combine(folder, "002_two.sql");
        File.WriteAllText(two, "CREATE TABLE two (id int);\nCREATE TABLE broken (id integr);\nCREATE TABLE two_b (id int);\n");
        File.WriteAllText(Path.Combine(folder, "003_three.sql"), "CREATE TABLE three (id int);\n");
        File.WriteAllText(Path.Combine(folder, "004_four.sql"), "CREATE TABLE four (id int);\n");
        var set = Load(folder);
        var log = new RecordingLog();
        var runner = new MigrationRunner(ConnectionSettings.Parse(database, "test"), new HistoryTable("public", "schema_migrations"), log, TimeSpan.FromSeconds(30));

        Assert.False(await runner.UpAsync(() => set, new UpOptions()));
        var failure = Assert.Single(log.Diagnostics);
        Assert.Equal((DiagnosticCodes.MigrationFailed, two, 2, 25), (failure.Code, failure.FilePath, failure.Line, failure.Column));
        Assert.StartsWith("type \"integr\" does not exist (SQLSTATE 42704)", failure.Message);
        Assert.Equal(1, TestSql.Scalar(database, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(1, TestSql.Scalar(database, "SELECT count(*) FROM pg_tables WHERE tablename IN ('one', 'two', 'broken', 'two_b', 'three', 'four')"));
        Assert.Equal(0, TestSql.Scalar(database, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'Migrations.Build'"));
    }
}
