namespace Migrations.Build.EndToEnd.Tests;

/// <summary>
/// The sequence a developer runs, with the package's defaults (migrations.sum on): create, edit, build, apply,
/// fix, apply again. A migration that has not left the machine may change freely and the sum follows it; one that
/// has (applied to a configured database, or on the mainline) is protected, at build and at MigrateUp alike.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class EverydayLoopTests : IDisposable
{
    private readonly ConsumerProject _project;
    private readonly string _db;

    public EverydayLoopTests(PackageFixture package, DatabaseFixture database)
    {
        _project = package.NewConsumer(integrityCheck: true);
        _db = database.NewDatabase();
    }

    public void Dispose() => _project.Dispose();

    private string SumPath => _project.SumPath;

    private CommandResult Run(bool succeeds, params string[] args) => _project.Run(succeeds, args);

    [Fact]
    public void Create_edit_build_apply_fix_apply_stays_green_until_the_migration_is_deployed()
    {
        _project.Variables["MIGRATION_CONNECTION_STRING"] = _db;
        Run(true, "-t:MigrateCreate", "-p:MigrationName=create_agents_table", "-p:MigrationTemplate=create-table");
        var up = Directory.GetFiles(_project.MigrationsDirectory, "*.up.sql").Single();

        // Edit the new file: the build stays green and the sum follows it.
        File.WriteAllText(up, File.ReadAllText(up).Replace("created_at", "registered_at"));
        var build = Run(true);
        Assert.DoesNotContain(build.Diagnostics, d => d.Code.StartsWith("MIG30"));
        Assert.Contains($"Updated {SumPath} for migrations that have not left this machine: 000001_create_agents_table.up.sql (edited)", build.Output);

        // A migration copied in by hand: no error while it is local.
        _project.WritePair("000002_add_tier", "ALTER TABLE agents ADD COLUMN tier integr;\n", "ALTER TABLE agents DROP COLUMN tier;\n");
        Assert.Contains("000002_add_tier.up.sql (new)", Run(true).Output);

        // MigrateUp fails on the typo; fix the file as MIG206 says and apply again: no MIG301 anywhere.
        var failed = Run(false, "-t:MigrateUp");
        Assert.Contains("fix the file and run MigrateUp again", failed.Single("MIG206").Message);
        _project.WritePair("000002_add_tier", "ALTER TABLE agents ADD COLUMN tier integer;\n", "ALTER TABLE agents DROP COLUMN tier;\n");
        var applied = Run(true, "-t:MigrateUp");
        Assert.DoesNotContain(applied.Diagnostics, d => d.IsError);
        Assert.DoesNotContain(Run(true).Diagnostics, d => d.IsError);
        Assert.Contains("000002_add_tier.up.sql", File.ReadAllText(Path.Combine(_project.Directory, "obj", "Migrations.Build.deployed")));

        // Applied to a configured database, the migration has left the machine: an edit is MIG301 at build, and
        // MigrateUp refuses the folder the same way (not MIG208 after the fact, and nothing applied).
        _project.WritePair("000002_add_tier", "ALTER TABLE agents ADD COLUMN tier bigint;\n", "ALTER TABLE agents DROP COLUMN tier;\n");
        var protectedEdit = Run(false).Single("MIG301");
        Assert.EndsWith("000002_add_tier.up.sql", protectedEdit.File);
        Assert.Contains("this machine applied it to a configured database", protectedEdit.Message);
        var refused = Run(false, "-t:MigrateUp");
        Assert.EndsWith("000002_add_tier.up.sql", refused.Single("MIG301").File);
        Assert.DoesNotContain(refused.Diagnostics, d => d.Code == "MIG208");
        Assert.Equal("integer", DatabaseFixture.Scalar<string>(_db,
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'agents' AND column_name = 'tier'"));
    }

    [Fact]
    public void A_migration_on_the_mainline_is_protected_and_one_on_a_feature_branch_is_not()
    {
        TestGit.Run(_project.Directory, "init", "-q", "-b", "main");
        Run(true, "-t:MigrateCreate", "-p:MigrationName=create_users");
        TestGit.Run(_project.Directory, "add", "migrations");
        TestGit.Run(_project.Directory, "commit", "-q", "-m", "users");
        TestGit.Run(_project.Directory, "checkout", "-q", "-b", "agents");
        Run(true, "-t:MigrateCreate", "-p:MigrationName=create_agents");
        TestGit.Run(_project.Directory, "add", "migrations");
        TestGit.Run(_project.Directory, "commit", "-q", "-m", "agents");

        var onBranch = Path.Combine(_project.MigrationsDirectory, "000002_create_agents.up.sql");
        File.WriteAllText(onBranch, "CREATE TABLE agents (id int);\n");
        File.WriteAllText(Path.ChangeExtension(Path.ChangeExtension(onBranch, null), ".down.sql"), "DROP TABLE agents;\n");
        var edited = Run(true);
        Assert.Contains("000002_create_agents.up.sql (edited), 000002_create_agents.down.sql (edited)", edited.Output);
        Assert.Empty(edited.Diagnostics);

        var onMainline = Path.Combine(_project.MigrationsDirectory, "000001_create_users.up.sql");
        File.WriteAllText(onMainline, "CREATE TABLE users (id int);\n");
        var error = Run(false).Single("MIG301");
        Assert.Equal((onMainline, 1, 1), (error.File, error.Line, error.Column));
        Assert.Contains("it is on the mainline (main)", error.Message);
    }

    [Fact]
    public void SQL_warnings_judge_local_migrations_and_MigrationLintFrom_widens_them_while_errors_judge_every_file()
    {
        TestGit.Run(_project.Directory, "init", "-q", "-b", "main");
        for (var v = 1; v <= 3; v++)
        {
            _project.WritePair($"00000{v}_t{v}", $"CREATE TABLE t{v} (id int, old text);\nALTER TABLE t{v} DROP COLUMN old;\n", $"DROP TABLE t{v};\n");
        }
        Run(true, "-t:MigrateHash");
        TestGit.Run(_project.Directory, "add", "migrations");
        TestGit.Run(_project.Directory, "commit", "-q", "-m", "history");
        _project.WritePair("000004_t4", "ALTER TABLE t1 DROP COLUMN id;\n", "ALTER TABLE t1 ADD COLUMN id int;\n");

        var build = Run(true);
        var warning = build.Single("MIG112");
        Assert.EndsWith("000004_t4.up.sql", warning.File);
        Assert.Contains("SQL warnings judged the 1 migration(s) that have not left this machine; 3 older one(s) were checked for errors only " +
            "(-p:MigrationLintFrom=0 lints them all).", build.Output);

        Assert.Equal(4, Run(true, "-p:MigrationLintFrom=0").Diagnostics.Count(d => d.Code == "MIG112"));
        Assert.Equal(["000003_t3.up.sql", "000004_t4.up.sql"],
            Run(true, "-p:MigrationLintFrom=3").Diagnostics.Where(d => d.Code == "MIG112").Select(d => Path.GetFileName(d.File)).Order());

        // An error is reported on a shipped migration too: it would break every apply.
        _project.WritePair("000005_index", "CREATE INDEX CONCURRENTLY ix ON t1 (id);\n", "DROP INDEX ix;\n");
        Run(true, "-t:MigrateHash");
        TestGit.Run(_project.Directory, "add", "migrations");
        TestGit.Run(_project.Directory, "commit", "-q", "-m", "index");
        Assert.EndsWith("000005_index.up.sql", Run(false).Single("MIG110").File);
    }

    [Fact]
    public void A_long_migration_shows_its_start_and_that_it_is_still_running_in_plain_output()
    {
        _project.Variables["MIGRATION_CONNECTION_STRING"] = _db;
        _project.WritePair("000001_quick", "CREATE TABLE quick (id int);\n", "DROP TABLE quick;\n");
        _project.WritePair("000002_slow", "CREATE TABLE slow (id int);\n\nSELECT pg_sleep(3);\n", "DROP TABLE slow;\n");
        Run(true, "-t:MigrateHash");

        var result = Run(true, "-t:MigrateUp", "-p:MigrationProgressInterval=1", "-v:n");
        var lines = result.Output.Split('\n').Select(l => l.Trim()).ToList();
        int At(string start) => lines.FindIndex(l => l.StartsWith(start, StringComparison.Ordinal));
        Assert.True(At("Applying 000001_quick …") >= 0, result.Output);
        Assert.True(At("Applying 000001_quick …") < At("Applied 000001_quick (") && At("Applied 000001_quick (") < At("Applying 000002_slow …"), result.Output);
        var still = lines[At("Still applying 000002_slow after ")];
        Assert.Contains("statement 2 of 2 (SELECT PG_SLEEP) at " + Path.Combine(_project.MigrationsDirectory, "000002_slow.up.sql") + "(3,1) is running", still);
        Assert.True(At("Still applying 000002_slow") < At("Applied 000002_slow ("), result.Output);
    }
}
