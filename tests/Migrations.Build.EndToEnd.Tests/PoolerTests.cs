using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.Tests.Database;
using Npgsql;

namespace Migrations.Build.EndToEnd.Tests;

/// <summary>
/// MigrateUp as deployers run it on real infrastructure: several at once through a real PgBouncer in each pool
/// mode, and one killed with -9 in the middle of a statement, then run again at once.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class PoolerTests(PackageFixture package, DatabaseFixture database) : IDisposable
{
    private readonly List<ConsumerProject> _projects = [];

    public void Dispose()
    {
        foreach (var project in _projects) project.Dispose();
    }

    private ConsumerProject Deployer(string connectionString, string folder)
    {
        var project = package.NewConsumer($"<MigrationsDirectory>{folder}</MigrationsDirectory>");
        project.Variables["MIGRATION_CONNECTION_STRING"] = connectionString;
        _projects.Add(project);
        return project;
    }

    [Theory]
    [InlineData("transaction")]
    [InlineData("session")]
    public async Task Concurrent_deploys_through_PgBouncer_apply_each_migration_once_and_leave_no_lock(string poolMode)
    {
        var db = database.NewDatabase();
        using var bouncer = new PgBouncer(database.Cluster.ConnectionString(), poolMode);
        var folder = Path.Combine(package.Root, "pooled-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        for (var v = 1; v <= 8; v++)
        {
            File.WriteAllText(Path.Combine(folder, $"{v:000}_m{v}.sql"), v == 8
                ? "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY ix_7 ON t_7 (id);\n"
                : $"CREATE TABLE t_{v} (id int);\nCREATE TYPE e_{v} AS ENUM ('a');\nSELECT pg_sleep(0.2);\n");
        }
        var deployers = Enumerable.Range(0, 3).Select(_ => Deployer(bouncer.Through(db), folder)).ToList();

        var results = await Task.WhenAll(deployers.Select(d => Task.Run(() => d.MSBuild("-t:MigrateUp"))));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r + "\n" + bouncer.Log));
        Assert.Equal(8L, DatabaseFixture.Scalar<long>(db, "SELECT count(*) FROM schema_migrations WHERE NOT dirty"));
        for (var v = 1; v <= 8; v++)
        {
            Assert.Equal(1, results.Sum(r => r.Output.Split('\n').Count(l => l.Trim().StartsWith($"Applied {v:000}_m{v} (", StringComparison.Ordinal))));
        }
        Assert.Equal(0L, DatabaseFixture.Scalar<long>(db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
        // And a later run is not blocked by anything the pooler kept.
        Assert.Contains("Database is up to date at version 8", deployers[0].MSBuild("-t:MigrateUp", "-p:MigrationLockTimeout=2").Output);
        var again = deployers[1].MSBuild("-t:MigrateDown", "-p:MigrationLockTimeout=2", "-p:MigrationRequireDown=false");
        Assert.Contains("MIG210", again.Output); // forward-only: refused before anything runs, but only after taking the lock
        Assert.DoesNotContain("MIG205", again.Output);
    }

    [Fact]
    public void A_deploy_killed_mid_statement_frees_the_lock_and_an_immediate_rerun_with_a_short_lock_timeout_applies_it_once()
    {
        var db = database.NewDatabase();
        var folder = Path.Combine(package.Root, "killed-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "001_slow.sql"), "CREATE TABLE slow (id int);\nSELECT pg_sleep(6);\n");
        File.WriteAllText(Path.Combine(folder, "002_after.sql"), "CREATE TABLE after_slow (id int);\n");
        var deployer = Deployer(db, folder);

        var killed = deployer.MSBuildKilled(
            () => DatabaseFixture.Scalar<long>(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'Migrations.Build' AND query LIKE '%pg_sleep%' AND state = 'active'") == 1,
            "-t:MigrateUp");
        Assert.NotEqual(0, killed.ExitCode);

        var rerun = deployer.MSBuild("-t:MigrateUp", "-p:MigrationLockTimeout=2");
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Contains("Applied 001_slow (", rerun.Output);
        Assert.Equal(2L, DatabaseFixture.Scalar<long>(db, "SELECT count(*) FROM schema_migrations WHERE NOT dirty"));
        Assert.Equal(0L, DatabaseFixture.Scalar<long>(db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
    }
}
