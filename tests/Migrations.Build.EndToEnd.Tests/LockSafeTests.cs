using Npgsql;

namespace Migrations.Build.EndToEnd.Tests;

/// <summary>
/// Lock-safe DDL and the edge cases of the history table's properties, through the packed package: the lock
/// timeout property and a file's directive, their errors at build time, and names as MSBuild users write them.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class LockSafeTests : IDisposable
{
    private readonly PackageFixture _package;
    private readonly ConsumerProject _project;
    private readonly string _db;

    public LockSafeTests(PackageFixture package, DatabaseFixture database)
    {
        _package = package;
        _project = package.NewConsumer();
        _db = database.NewDatabase();
        _project.Variables["MIGRATION_CONNECTION_STRING"] = _db;
    }

    public void Dispose() => _project.Dispose();

    private CommandResult Fails(ConsumerProject project, params string[] args)
    {
        var result = project.MSBuild(args);
        Assert.True(result.ExitCode != 0, result.ToString());
        return result;
    }

    private static CommandResult Succeeds(ConsumerProject project, params string[] args)
    {
        var result = project.MSBuild(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    [Fact]
    public void A_blocked_ALTER_TABLE_gives_up_after_the_property_s_lock_timeout_or_the_file_s_retries_and_names_the_holder()
    {
        _project.WritePair("000001_accounts", "CREATE TABLE accounts (id int);\n", "DROP TABLE accounts;\n");
        Succeeds(_project, "-t:MigrateUp");
        var alter = Path.Combine(_project.MigrationsDirectory, "000002_add_email.up.sql");
        _project.WritePair("000002_add_email", "ALTER TABLE accounts ADD COLUMN email text;\n", "ALTER TABLE accounts DROP COLUMN email;\n");

        // A session in a transaction that has read the table, as a long report would: the ALTER TABLE cannot get its lock.
        using var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_db) { Pooling = false, ApplicationName = "long_report" }.ConnectionString);
        holder.Open();
        using (var begin = new NpgsqlCommand("BEGIN", holder)) begin.ExecuteNonQuery();
        using (var read = new NpgsqlCommand("SELECT count(*) FROM accounts", holder)) read.ExecuteScalar();

        var byProperty = Fails(_project, "-t:MigrateUp", "-p:MigrationStatementLockTimeout=200ms", "-p:MigrationLockRetries=1");
        Assert.Contains($"lock timeout on accounts at {alter}(1): retry 1 of 1 in 1 s", byProperty.Output);
        var error = byProperty.Single("MIG223");
        Assert.Equal((alter, 1), (error.File, error.Line));
        Assert.Contains("(200 ms) for a lock on 'accounts' that another session holds", error.Message);
        Assert.Contains($"pid {holder.ProcessID}, application 'long_report'", error.Message);

        // The file's directive wins over the property (which alone would have it wait a minute), and 0 retries fail at once.
        File.WriteAllText(alter, "-- migrate:lock-timeout 100ms\nALTER TABLE accounts ADD COLUMN email text;\n");
        var byDirective = Fails(_project, "-t:MigrateUp", "-p:MigrationStatementLockTimeout=1min", "-p:MigrationLockRetries=0");
        Assert.DoesNotContain("retry 1", byDirective.Output);
        Assert.Contains("(100 ms)", byDirective.Single("MIG223").Message);
        Assert.Equal(1L, DatabaseFixture.Scalar<long>(_db, "SELECT count(*) FROM schema_migrations"));

        holder.Close();
        Succeeds(_project, "-t:MigrateUp");
        Assert.Equal(2L, DatabaseFixture.Scalar<long>(_db, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public void A_malformed_directive_fails_the_build_at_its_line()
    {
        _project.WritePair("000001_accounts", "CREATE TABLE accounts (id int);\n\n-- migrate:statement-timeout 30\n", "DROP TABLE accounts;\n");
        var build = _project.Build();
        Assert.NotEqual(0, build.ExitCode);
        var error = build.Single("MIG120");
        Assert.Equal((Path.Combine(_project.MigrationsDirectory, "000001_accounts.up.sql"), 3), (error.File, error.Line));
        Assert.Contains("needs a unit", error.Message);
    }

    [Fact]
    public void History_names_written_over_several_lines_or_in_mixed_case_mean_what_PostgreSQL_would_read()
    {
        using var project = _package.NewConsumer("<MigrationsSchema>\n      Audit\n    </MigrationsSchema>\n    <MigrationsTable>Deploy_History\n</MigrationsTable>");
        project.Variables["MIGRATION_CONNECTION_STRING"] = _db;
        project.WritePair("000001_accounts", "CREATE TABLE accounts (id int);\n", "DROP TABLE accounts;\n");
        var up = Succeeds(project, "-t:MigrateUp");
        Assert.Contains("history in audit.deploy_history", up.Output);
        Assert.Equal(1L, DatabaseFixture.Scalar<long>(_db, "SELECT count(*) FROM audit.deploy_history"));
        Assert.Equal(0L, DatabaseFixture.Scalar<long>(_db, "SELECT count(*) FROM pg_namespace WHERE nspname <> lower(nspname) OR nspname LIKE '%' || chr(10) || '%'"));
    }

    [Fact]
    public void A_history_table_an_earlier_version_created_in_a_mixed_case_schema_is_not_left_behind()
    {
        // As an earlier version created it for MigrationsSchema=Legacy: the schema "Legacy", case kept.
        DatabaseFixture.Execute(_db, "CREATE SCHEMA \"Legacy\"; CREATE TABLE \"Legacy\".schema_migrations (version bigint PRIMARY KEY, name text, checksum text, " +
                                     "applied_at timestamptz NOT NULL DEFAULT now(), execution_ms integer, dirty boolean NOT NULL DEFAULT false); " +
                                     "INSERT INTO \"Legacy\".schema_migrations (version, name) VALUES (1, 'accounts');");
        _project.WritePair("000001_accounts", "CREATE TABLE accounts (id int);\n", "DROP TABLE accounts;\n");

        var refused = Fails(_project, "-t:MigrateUp", "-p:MigrationsSchema=Legacy");
        Assert.Contains("\"Legacy\".\"schema_migrations\" does", refused.Single("MIG217").Message);
        Assert.False(DatabaseFixture.TableExists(_db, "accounts"));

        // %22: MSBuild takes bare double quotes off a -p: value.
        var quoted = Succeeds(_project, "-t:MigrateUp", "-p:MigrationsSchema=%22Legacy%22");
        Assert.Contains("up to date at version 1", quoted.Output);
    }

    [Fact]
    public void MigrationLockTimeout_beyond_its_range_says_so_and_the_range()
    {
        _project.WritePair("000001_accounts", "CREATE TABLE accounts (id int);\n", "DROP TABLE accounts;\n");
        var result = Fails(_project, "-t:MigrateUp", "-p:MigrationLockTimeout=99999999999");
        Assert.Contains("MigrationLockTimeout '99999999999' is out of range: it is in seconds, from 0 to 2147483", result.Single("MIG012").Message);
        var statement = Fails(_project, "-t:MigrateUp", "-p:MigrationStatementLockTimeout=30d");
        Assert.Contains("is out of range", statement.Single("MIG012").Message);
    }
}
