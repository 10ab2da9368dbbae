namespace Migrations.Build.EndToEnd.Tests;

/// <summary>migrations.sum, branch collisions and MigrateRenumber, with the package's defaults.</summary>
[Collection(IntegrityCollection.Name)]
public sealed class IntegrityTests(PackageFixture package) : IDisposable
{
    private readonly ConsumerProject _project = package.NewConsumer(integrityCheck: true);

    public void Dispose() => _project.Dispose();

    private string SumPath => _project.SumPath;

    private CommandResult Run(bool succeeds, params string[] args) => _project.Run(succeeds, args);

    [Fact]
    public void Sum_is_missing_then_written_then_edits_additions_and_deletions_of_mainline_migrations_fail_the_build()
    {
        Git("init", "-q", "-b", "main");
        _project.WritePair("000001_create_users", "CREATE TABLE users (id int);\n", "DROP TABLE users;\n");
        _project.WritePair("000002_add_email", "ALTER TABLE users ADD COLUMN email text;\n", "ALTER TABLE users DROP COLUMN email;\n");
        Assert.False(Run(true).Single("MIG304").IsError);

        Assert.Contains("Recorded 2 migration(s)", Run(true, "-t:MigrateHash").Output);
        Assert.Contains("000001_create_users.up.sql", File.ReadAllText(SumPath));
        Assert.Empty(Run(true).Diagnostics);
        Git("add", "migrations");
        Git("commit", "-q", "-m", "first two");

        // An edit to a recorded migration that is on the mainline.
        var edited = Path.Combine(_project.MigrationsDirectory, "000001_create_users.up.sql");
        File.WriteAllText(edited, "CREATE TABLE users (id bigint);\n");
        var changed = Run(false).Single("MIG301");
        Assert.Equal((edited, 1, 1), (changed.File, changed.Line, changed.Column));
        Assert.Contains("create a new migration", changed.Message);
        Run(true, "-t:MigrateHash");
        Assert.Empty(Run(true).Diagnostics);

        // A file on the mainline that the sum does not record.
        var added = _project.WriteMigration("000003_add_age.up.sql", "ALTER TABLE users ADD COLUMN age int;\n");
        _project.WriteMigration("000003_add_age.down.sql", "ALTER TABLE users DROP COLUMN age;\n");
        Git("add", "migrations/000003_add_age.up.sql", "migrations/000003_add_age.down.sql");
        Git("commit", "-q", "-m", "age, without its sum");
        Assert.Contains(Run(false).Diagnostics, d => d.Code == "MIG302" && d.File == added);
        Run(true, "-t:MigrateHash");

        // A recorded mainline file deleted: reported on its line of migrations.sum.
        File.Delete(added);
        File.Delete(Path.Combine(_project.MigrationsDirectory, "000003_add_age.down.sql"));
        var missing = Run(false).Diagnostics;
        Assert.All(missing, d => Assert.Equal(("MIG303", SumPath), (d.Code, d.File)));
        Assert.Equal(["000003_add_age.up.sql", "000003_add_age.down.sql"], missing.Select(d => File.ReadAllLines(SumPath)[d.Line - 1].Split(' ')[0]));
    }

    [Fact]
    public void MigrateCreate_records_the_new_files_so_the_build_stays_clean()
    {
        Run(true, "-t:MigrateCreate", "-p:MigrationName=create_users");
        Assert.Contains("Updated " + SumPath, Run(true, "-t:MigrateCreate", "-p:MigrationName=add_email").Output);
        Assert.Empty(Run(true).Diagnostics);
    }

    [Fact]
    public void MigrateCreate_does_not_hide_an_edited_recorded_migration_of_the_mainline()
    {
        Git("init", "-q", "-b", "main");
        CreateAndCommit("create_users");
        var up = Directory.GetFiles(_project.MigrationsDirectory, "*.up.sql").Single();
        File.AppendAllText(up, "-- edited after it was recorded\n");
        var create = Run(true, "-t:MigrateCreate", "-p:MigrationName=add_email");
        Assert.Contains("was not updated", create.Single("MIG304").Message);
        Assert.Equal(up, Run(false).Single("MIG301").File);
    }

    [Fact]
    public void Two_branch_merge_conflicts_in_the_sum_and_MigrateRenumber_fixes_the_collision()
    {
        TwoBranchesAddVersion2();

        // Both branches changed the end of migrations.sum: git refuses to merge silently.
        var merge = GitResult("merge", "agents");
        Assert.NotEqual(0, merge.ExitCode);
        Assert.Contains("migrations.sum", merge.Output);
        Assert.Contains("<<<<<<<", File.ReadAllText(SumPath));
        Run(false).Single("MIG305");

        // Resolve the sum either way. main's migration may be deployed already: the branch's is the newer one.
        Git("checkout", "--theirs", "migrations/migrations.sum");
        var build = Run(false);
        var duplicate = build.Single("MIG002");
        Assert.EndsWith("000002_add_agents.up.sql", duplicate.File);
        Assert.Contains("'000002_add_agents.up.sql' (added in a git commit of", duplicate.Message);
        Assert.Contains("not on the mainline", duplicate.Message);
        Assert.Contains("'000002_add_agents.up.sql' is the newer one", duplicate.Message);

        var renumber = Run(true, "-t:MigrateRenumber");
        Assert.Contains("Renamed 000002_add_agents.up.sql -> 000003_add_agents.up.sql", renumber.Output);
        Assert.True(File.Exists(Path.Combine(_project.MigrationsDirectory, "000002_add_projects.up.sql")));
        Assert.Empty(Run(true).Diagnostics);
    }

    [Fact]
    public void A_branch_merging_main_names_its_own_migration_as_the_newer_one_even_when_committed_first()
    {
        TwoBranchesAddVersion2();

        // The usual way to catch up: the feature branch merges main, and the merge is committed as it is.
        Git("checkout", "-q", "agents");
        Assert.NotEqual(0, GitResult("merge", "main").ExitCode);
        Git("checkout", "--ours", "migrations/migrations.sum");
        Git("add", "-A");
        Git("commit", "-q", "--no-edit");

        var duplicate = Run(false).Single("MIG002");
        Assert.EndsWith("000002_add_agents.up.sql", duplicate.File);
        Assert.Contains("'000002_add_projects.up.sql' (on the mainline since", duplicate.Message);
    }

    [Fact]
    public void A_pull_merged_into_the_local_main_and_pushed_keeps_the_migration_pushed_first_as_the_older_one()
    {
        var origin = _project.Directory + ".origin.git";
        try
        {
            Git("init", "-q", "-b", "main");
            CreateAndCommit("create_users");
            Git("init", "-q", "--bare", "-b", "main", origin);
            Git("remote", "add", "origin", origin);
            Git("push", "-q", "origin", "main");

            // Someone else pushes 000002_add_projects (it may be deployed from here on).
            Git("checkout", "-q", "-b", "theirs");
            CreateAndCommit("add_projects");
            Git("push", "-q", "origin", "theirs:main");

            // Meanwhile the local main adds its own 000002, then pulls without rebase and pushes the merge: the merge's
            // first parent is the local commit, so first parents alone would put add_agents on the mainline first.
            Git("checkout", "-q", "main");
            Thread.Sleep(1100);
            CreateAndCommit("add_agents");
            Thread.Sleep(1100);
            Assert.NotEqual(0, GitResult("pull", "-q", "--no-rebase", "origin", "main").ExitCode); // migrations.sum conflicts
            Git("checkout", "--ours", "migrations/migrations.sum");
            Git("add", "-A");
            Git("commit", "-q", "--no-edit");
            Git("push", "-q", "origin", "main");
            Git("fetch", "-q", "origin");
            Git("remote", "set-head", "origin", "main");
            Assert.StartsWith("Merge branch 'main' of ", GitResult("log", "-1", "--format=%s").Output);

            var duplicate = Run(false).Single("MIG002");
            Assert.EndsWith("000002_add_agents.up.sql", duplicate.File);
            Assert.Contains("'000002_add_projects.up.sql' (on the mainline since", duplicate.Message);
            Assert.Contains("'000002_add_agents.up.sql' is the newer one", duplicate.Message);
        }
        finally
        {
            if (Directory.Exists(origin)) Directory.Delete(origin, recursive: true);
        }
    }

    /// <summary>
    /// main: 000001_create_users, then 000002_add_projects; branch agents (from the first): 000002_add_agents,
    /// committed a second before main's. Ends on main.
    /// </summary>
    private void TwoBranchesAddVersion2()
    {
        Git("init", "-q", "-b", "main");
        CreateAndCommit("create_users");
        Git("checkout", "-q", "-b", "agents");
        CreateAndCommit("add_agents");
        Git("checkout", "-q", "main");
        Thread.Sleep(1100); // main's migration is committed later than the branch's: commit times must not decide
        CreateAndCommit("add_projects");
    }

    private void CreateAndCommit(string name)
    {
        Run(true, "-t:MigrateCreate", "-p:MigrationName=" + name);
        Git("add", "-A");
        Git("commit", "-q", "-m", name);
    }

    private void Git(params string[] args) => TestGit.Run(_project.Directory, args);

    private CommandResult GitResult(params string[] args) => TestGit.Result(_project.Directory, args);
}
