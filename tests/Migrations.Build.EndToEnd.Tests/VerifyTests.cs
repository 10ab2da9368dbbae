using Migrations.Build.Engine.LocalDatabase;

namespace Migrations.Build.EndToEnd.Tests;

/// <summary>MigrateVerify: every down restores the schema its up started from, on a throwaway database.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class VerifyTests : IDisposable
{
    private readonly PackageFixture _package;
    private readonly ConsumerProject _project;
    private readonly DatabaseFixture _database;

    public VerifyTests(PackageFixture package, DatabaseFixture database)
    {
        _package = package;
        _project = package.NewConsumer();
        _database = database;
        _project.WritePair("000001_create_users", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n", "DROP TABLE users;\n");
    }

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Passes_on_the_repository_sample_in_a_fresh_local_database_and_leaves_the_configured_one_alone()
    {
        File.Delete(Path.Combine(_project.MigrationsDirectory, "000001_create_users.up.sql"));
        File.Delete(Path.Combine(_project.MigrationsDirectory, "000001_create_users.down.sql"));
        foreach (var file in Directory.GetFiles(Path.Combine(_package.RepositoryRoot, "migrations"), "*.sql"))
        {
            File.Copy(file, Path.Combine(_project.MigrationsDirectory, Path.GetFileName(file)));
        }
        var configured = _database.NewDatabase();
        _project.Variables["MIGRATION_CONNECTION_STRING"] = configured;
        try
        {
            var result = _project.MSBuild("-t:MigrateVerify");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("Verifying on a throwaway database migrations_verify_", result.Output);
            Assert.Contains("Verified 000004_add_index_users_last_login: up, down restores the schema, up again", result.Output);
            Assert.Contains("Verified 4 migration(s)", result.Output);
            Assert.False(DatabaseFixture.TableExists(configured, "schema_migrations"));
        }
        finally
        {
            LocalPostgresCluster.Delete(Path.Combine(_project.Directory, "obj", "migrations-db"));
        }
    }

    [Fact]
    public void Catches_a_down_that_leaves_a_column_behind()
    {
        var down = _project.WriteMigration("000002_add_age.down.sql", "SELECT 1;\n");
        _project.WriteMigration("000002_add_age.up.sql", "ALTER TABLE users ADD COLUMN age integer;\n");
        var result = _project.MSBuild("-t:MigrateVerify", "-p:MigrationVerifyConnectionString=" + _database.NewDatabase().Replace(";", "%3B"));
        Assert.NotEqual(0, result.ExitCode);
        var d = result.Single("MIG310");
        Assert.Equal((down, 1, 1), (d.File, d.Line, d.Column));
        Assert.Contains("public.users.age", d.Message);
        Assert.Contains("Verified 000001_create_users", result.Output);
    }

    [Fact]
    public void Catches_a_down_that_drops_too_much()
    {
        _project.WriteMigration("000002_projects.up.sql", "CREATE TABLE projects (id int);\n");
        var down = _project.WriteMigration("000002_projects.down.sql", "DROP TABLE projects;\nDROP TABLE users;\n");
        var result = _project.MSBuild("-t:MigrateVerify", "-p:MigrationVerifyConnectionString=" + _database.NewDatabase().Replace(";", "%3B"));
        Assert.NotEqual(0, result.ExitCode);
        var d = result.Single("MIG310");
        Assert.Equal(down, d.File);
        Assert.Contains("public.users", d.Message);
    }

    [Fact]
    public void Forward_only_migrations_are_applied_once_to_catch_sql_errors()
    {
        using var forward = _package.NewConsumer();
        forward.WriteMigration("001_users.sql", "CREATE TABLE users (id int);\n");
        var broken = forward.WriteMigration("002_broken.sql", "ALTER TABLE users ADD COLUMN x nosuchtype;\n");
        var result = forward.MSBuild("-t:MigrateVerify", "-p:MigrationVerifyConnectionString=" + _database.NewDatabase().Replace(";", "%3B"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal((broken, 1, 32), (result.Single("MIG206").File, result.Single("MIG206").Line, result.Single("MIG206").Column));
        Assert.Contains("Verified 001_users: applies cleanly", result.Output);
    }

    [Fact]
    public void Verify_on_build_runs_after_a_build_and_again_only_when_migrations_change()
    {
        var verifyDb = _database.NewDatabase().Replace(";", "%3B");
        var first = _project.Build("-p:MigrationVerifyOnBuild=true", "-p:MigrationVerifyConnectionString=" + verifyDb);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("Verified 1 migration(s)", first.Output);

        var second = _project.Build("-p:MigrationVerifyOnBuild=true", "-p:MigrationVerifyConnectionString=" + verifyDb);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain("Verified", second.Output);

        _project.WritePair("000002_add_age", "ALTER TABLE users ADD COLUMN age integer;\n", "SELECT 1;\n");
        var third = _project.Build("-p:MigrationVerifyOnBuild=true", "-p:MigrationVerifyConnectionString=" + _database.NewDatabase().Replace(";", "%3B"));
        Assert.NotEqual(0, third.ExitCode);
        Assert.Equal("MIG310", Assert.Single(third.Diagnostics, d => d.IsError).Code);
    }
}
