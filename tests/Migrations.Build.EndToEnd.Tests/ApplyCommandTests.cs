namespace Migrations.Build.EndToEnd.Tests;

/// <summary>MigrateDown, MigrateStatus, MigrateBaseline, MigrateRenumber, apply modes and MigrateOnBuild against a real PostgreSQL.</summary>
[Collection(ApplyCommandCollection.Name)]
public sealed class ApplyCommandTests(PackageFixture package, DatabaseFixture database) : ApplyTestsBase(package, database)
{
    [Fact]
    public void Changed_applied_migration_is_refused_before_anything_runs()
    {
        WriteUsersAndProjects();
        Succeeds("-t:MigrateUp", "-p:MigrationTarget=1");
        var path = Path.Combine(Project.MigrationsDirectory, "000001_create_users.up.sql");
        File.AppendAllText(path, "-- edited\n");
        var d = Fails("-t:MigrateUp").Single("MIG208");
        Assert.Equal(path, d.File);
        Assert.Equal([1L], AppliedVersions());
    }

    [Fact]
    public void MigrateDown_rolls_back_one_then_to_a_target_and_reports_missing_down_scripts_first()
    {
        WriteUsersAndProjects();
        Project.WritePair("000003_add_age", "ALTER TABLE users ADD COLUMN age int;\n", "ALTER TABLE users DROP COLUMN age;\n");
        Succeeds("-t:MigrateUp");

        // Rolling back drops things: against a configured database that needs an explicit yes.
        var refused = Fails("-t:MigrateDown");
        Assert.Contains("DROP COLUMN", refused.Single("MIG219").Message);
        Assert.Equal([1L, 2L, 3L], AppliedVersions());
        Assert.Contains("Rolled back 000003_add_age", Succeeds("-t:MigrateDown", "-p:AllowDestructiveMigrations=true").Output);
        Assert.Equal([1L, 2L], AppliedVersions());
        Succeeds("-t:MigrateDown", "-p:MigrationTarget=0", "-p:AllowDestructiveMigrations=true");
        Assert.Empty(AppliedVersions());
        Assert.False(DatabaseFixture.TableExists(Db, "users"));

        Succeeds("-t:MigrateUp");
        File.Delete(Path.Combine(Project.MigrationsDirectory, "000002_create_projects.down.sql"));
        var result = Fails("-t:MigrateDown", "-p:MigrationSteps=2", "-p:MigrationRequireDown=false", "-p:AllowDestructiveMigrations=true");
        Assert.Contains("version 2", result.Single("MIG210").Message);
        Assert.Equal([1L, 2L, 3L], AppliedVersions()); // nothing rolled back, not even 3
    }

    [Fact]
    public void MigrateStatus_lists_applied_and_pending_writes_json_and_gates_deploys()
    {
        WriteUsersAndProjects();
        Succeeds("-t:MigrateUp", "-p:MigrationTarget=1");
        var text = Succeeds("-t:MigrateStatus");
        Assert.Contains("[applied] 1 create_users", text.Output);
        Assert.Contains("[pending] 2 create_projects", text.Output);

        var jsonFile = Path.Combine(Project.Directory, "status.json");
        Succeeds("-t:MigrateStatus", "-p:MigrationStatusFormat=json", "-p:MigrationStatusFile=" + jsonFile);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(jsonFile));
        Assert.Equal(1, json.RootElement.GetProperty("currentVersion").GetInt64());
        Assert.Equal(2, json.RootElement.GetProperty("pending")[0].GetProperty("version").GetInt64());
        var textFile = Path.Combine(Project.Directory, "status.txt");
        Succeeds("-t:MigrateStatus", "-p:MigrationStatusFile=" + textFile);
        Assert.Contains("[pending] 2 create_projects", File.ReadAllText(textFile));

        var gate = Fails("-t:MigrateStatus", "-p:MigrationFailOnPending=true");
        Assert.Contains("create_projects", gate.Single("MIG212").Message);
        Succeeds("-t:MigrateUp");
        Succeeds("-t:MigrateStatus", "-p:MigrationFailOnPending=true");

        // A state MigrateUp would refuse is a warning in a plain status, and fails the gate.
        File.AppendAllText(Path.Combine(Project.MigrationsDirectory, "000002_create_projects.up.sql"), "-- edited\n");
        Assert.False(Succeeds("-t:MigrateStatus").Single("MIG208").IsError);
        Assert.True(Fails("-t:MigrateStatus", "-p:MigrationFailOnPending=true").Single("MIG208").IsError);
    }

    [Fact]
    public void MigrateBaseline_records_an_existing_schema_and_refuses_a_managed_database()
    {
        Project.WriteMigration("001_users.sql", "CREATE TABLE users (id int);\n");
        Project.WriteMigration("002_projects.sql", "CREATE TABLE projects (id int);\n");
        Project.WriteMigration("003_tags.sql", "CREATE TABLE tags (id int);\n");
        DatabaseFixture.Execute(Db, "CREATE TABLE users (id int); CREATE TABLE projects (id int);");

        Assert.Contains("Baselined", Succeeds("-t:MigrateBaseline", "-p:MigrationVersion=2").Output);
        Succeeds("-t:MigrateUp");
        Assert.Equal([1L, 2L, 3L], AppliedVersions());
        Assert.True(DatabaseFixture.TableExists(Db, "tags"));

        Fails("-t:MigrateBaseline", "-p:MigrationVersion=2").Single("MIG214");

        // Forward-only migrations have no down scripts, and none can be added: MigrateDown says so.
        var down = Fails("-t:MigrateDown").Single("MIG210");
        Assert.EndsWith("003_tags.sql", down.File);
        Assert.Contains("forward-only migrations", down.Message);
        Assert.Contains("write a new migration that undoes it", down.Message);
        Assert.DoesNotContain(".down.sql", down.Message);
        Assert.Equal([1L, 2L, 3L], AppliedVersions());
    }

    [Fact]
    public void Golang_migrate_table_is_converted_in_place_keeping_its_state()
    {
        WriteUsersAndProjects();
        Project.WritePair("000003_add_age", "ALTER TABLE users ADD COLUMN age int;\n", "ALTER TABLE users DROP COLUMN age;\n");
        DatabaseFixture.Execute(Db,
            "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);" +
            "CREATE TABLE projects (id bigint PRIMARY KEY, owner_id bigint REFERENCES users (id));" +
            "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);" +
            "INSERT INTO schema_migrations VALUES (2, false);");

        // Read as it is (converting is MigrateUp's job): golang-migrate records no times.
        var status = Succeeds("-t:MigrateStatus").Output;
        Assert.Contains("(time not recorded)", status);
        Assert.DoesNotContain("( UTC)", status);

        var result = Succeeds("-t:MigrateUp");
        Assert.Contains("Converted the golang-migrate table public.schema_migrations (version 2)", result.Output);
        Assert.Contains("Applied 000003_add_age", result.Output);
        Assert.DoesNotContain("Applied 000001", result.Output);
        Assert.Equal([1L, 2L, 3L], AppliedVersions());
    }

    [Fact]
    public void Golang_migrate_table_in_the_connection_schema_is_not_replaced_by_a_new_history()
    {
        // golang-migrate kept its table where the URL's search_path pointed; this tool defaults to public.
        WriteUsersAndProjects();
        DatabaseFixture.Execute(Db,
            "CREATE SCHEMA app; CREATE TABLE app.users (id bigint PRIMARY KEY, email text NOT NULL);" +
            "CREATE TABLE app.schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);" +
            "INSERT INTO app.schema_migrations VALUES (1, false);");
        Project.Variables["MIGRATION_CONNECTION_STRING"] = new Npgsql.NpgsqlConnectionStringBuilder(Db) { SearchPath = "app" }.ConnectionString;

        var refused = Fails("-t:MigrateUp").Single("MIG217");
        Assert.Contains("set MigrationsSchema=app", refused.Message);
        Assert.False(DatabaseFixture.TableExists(Db, "projects"));
        Assert.Equal(0L, DatabaseFixture.Scalar<long>(Db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));

        var adopted = Succeeds("-t:MigrateUp", "-p:MigrationsSchema=app");
        Assert.Contains("Converted the golang-migrate table app.schema_migrations (version 1)", adopted.Output);
        Assert.DoesNotContain("Applied 000001", adopted.Output);
        Assert.Contains("Applied 000002_create_projects", adopted.Output);
    }

    [Fact]
    public async Task Parallel_MigrateUp_processes_apply_each_migration_exactly_once()
    {
        DatabaseFixture.Execute(Db, "CREATE TABLE apply_log (version int)");
        for (var v = 1; v <= 5; v++)
        {
            Project.WriteMigration($"{v:000}_step_{v}.sql", $"INSERT INTO apply_log VALUES ({v});\nSELECT pg_sleep(0.2);\n");
        }
        Succeeds("-t:Restore"); // restore once, so the parallel runs do not race on it
        var runs = Enumerable.Range(0, 3).Select(_ => Task.Run(() => Project.MSBuild("-t:MigrateUp"))).ToArray();
        var results = await Task.WhenAll(runs);
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(5L, DatabaseFixture.Scalar<long>(Db, "SELECT count(*) FROM apply_log"));
        Assert.Equal(5L, DatabaseFixture.Scalar<long>(Db, "SELECT count(DISTINCT version) FROM apply_log"));
    }

    [Fact]
    public void Out_of_order_migration_is_refused_shown_in_status_then_applied_when_allowed()
    {
        WriteUsersAndProjects();
        Project.WritePair("000004_add_age", "ALTER TABLE users ADD COLUMN age int;\n", "ALTER TABLE users DROP COLUMN age;\n");
        Succeeds("-t:MigrateUp");
        // A branch merged late brings version 3.
        var late = Project.WriteMigration("000003_add_nick.up.sql", "ALTER TABLE users ADD COLUMN nick text;\n");
        Project.WriteMigration("000003_add_nick.down.sql", "ALTER TABLE users DROP COLUMN nick;\n");

        var refused = Fails("-t:MigrateUp", "-p:NoWarn=MIG007");
        var d = refused.Single("MIG220");
        Assert.Equal(late, d.File);
        Assert.Contains("version 4 is already applied", d.Message);
        Assert.Equal([1L, 2L, 4L], AppliedVersions());
        Assert.Contains("[pending] 3 add_nick  OUT OF ORDER", Succeeds("-t:MigrateStatus").Output);

        var allowed = Succeeds("-t:MigrateUp", "-p:MigrationAllowOutOfOrder=true");
        Assert.False(allowed.Single("MIG220").IsError);
        Assert.Equal([1L, 2L, 3L, 4L], AppliedVersions());

        // Rolling back one step undoes what was applied last (3), not the highest version (4).
        Assert.Contains("Rolled back 000003_add_nick", Succeeds("-t:MigrateDown", "-p:AllowDestructiveMigrations=true").Output);
        Assert.Equal([1L, 2L, 4L], AppliedVersions());
    }

    [Fact]
    public void All_mode_applies_everything_in_one_transaction_so_a_failing_third_migration_leaves_nothing()
    {
        WriteUsersAndProjects();
        var broken = Project.WriteMigration("000003_broken.up.sql", "ALTER TABLE users ADD COLUMN age integr;\n");
        Project.WriteMigration("000003_broken.down.sql", "SELECT 1;\n");
        var result = Fails("-t:MigrateUp", "-p:MigrationTransactionMode=all");
        var d = result.Single("MIG206");
        Assert.Equal((broken, 1, 34), (d.File, d.Line, d.Column));
        Assert.Contains("nothing of this run was applied", d.Message);
        Assert.Empty(DatabaseFixture.Rows(Db, "SELECT 1 FROM pg_tables WHERE tablename IN ('users', 'projects', 'schema_migrations') AND tablename <> 'schema_migrations'"));
        Assert.Empty(AppliedVersions());

        File.WriteAllText(broken, "SELECT pg_sleep(0.5);\nALTER TABLE users ADD COLUMN age integer;\n");
        Project.WritePair("000004_quick", "ALTER TABLE users ADD COLUMN nick text;\n", "ALTER TABLE users DROP COLUMN nick;\n");
        Succeeds("-t:MigrateUp", "-p:MigrationTransactionMode=all");
        Assert.Equal([1L, 2L, 3L, 4L], AppliedVersions());

        // Each row records its own migration's time, not the time since the shared transaction began.
        var ms = DatabaseFixture.Rows(Db, "SELECT execution_ms FROM schema_migrations ORDER BY version").Select(r => (int)r[0]).ToList();
        Assert.True(ms[2] >= 500, string.Join(", ", ms));
        Assert.True(ms[3] < ms[2], string.Join(", ", ms));
    }

    [Fact]
    public void All_mode_refuses_a_non_transactional_migration()
    {
        WriteUsersAndProjects();
        Project.WritePair("000003_idx", "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON users (email);\n", "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY i;\n");
        var result = Fails("-t:MigrateUp", "-p:MigrationTransactionMode=all");
        Assert.Contains("MigrationTransactionMode=all", result.Single("MIG221").Message);
        Assert.False(DatabaseFixture.TableExists(Db, "users"));
    }

    [Fact]
    public void Destructive_migration_is_refused_against_a_configured_database_until_allowed()
    {
        WriteUsersAndProjects();
        Succeeds("-t:MigrateUp");
        var up = Project.WriteMigration("000003_drop_projects.up.sql", "-- migrate:ignore MIG112\nALTER TABLE users DROP COLUMN email;\nDROP TABLE projects;\n");
        Project.WriteMigration("000003_drop_projects.down.sql", "CREATE TABLE projects (id bigint);\nALTER TABLE users ADD COLUMN email text;\n");

        var refused = Fails("-t:MigrateUp");
        var listed = refused.Diagnostics.Where(d => d.Code == "MIG219").Select(d => (d.File, d.Line, d.Column)).ToList();
        Assert.Equal([(up, 2, 1), (up, 3, 1)], listed);
        Assert.True(DatabaseFixture.TableExists(Db, "projects"));
        Assert.Equal([1L, 2L], AppliedVersions());

        Succeeds("-t:MigrateUp", "-p:AllowDestructiveMigrations=true");
        Assert.False(DatabaseFixture.TableExists(Db, "projects"));
    }

    [Fact]
    public void MigrateRenumber_refuses_to_move_a_migration_the_database_has_applied()
    {
        // This branch applied its 000002 locally; main's older 000002 arrives with the merge.
        Project.WritePair("000001_create_users", "CREATE TABLE users (id int);\n", "DROP TABLE users;\n");
        Project.WritePair("000002_mine", "CREATE TABLE mine (id int);\n", "DROP TABLE mine;\n");
        Succeeds("-t:MigrateUp");
        Project.WritePair("000002_theirs", "CREATE TABLE theirs (id int);\n", "DROP TABLE theirs;\n");
        foreach (var file in Directory.GetFiles(Project.MigrationsDirectory, "000002_theirs.*"))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-2));
        }

        var refused = Fails("-t:MigrateRenumber");
        var d = refused.Single("MIG306");
        Assert.EndsWith("000002_mine.up.sql", d.File);
        Assert.True(File.Exists(Path.Combine(Project.MigrationsDirectory, "000002_mine.up.sql")));
        Assert.False(File.Exists(Path.Combine(Project.MigrationsDirectory, "000003_mine.up.sql")));
    }

    [Fact]
    public void Multi_targeted_project_validates_and_applies_once_and_has_the_Migrate_targets()
    {
        // TargetFrameworks (plural) makes an outer build that dispatches to one inner build per framework.
        Project.WriteProject(null, "<TargetFrameworks>net10.0</TargetFrameworks>");
        WriteUsersAndProjects();
        var build = Project.Build("-p:MigrateOnBuild=true");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(build.Output, "Validated 2 migration"));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(build.Output, "Applied 2 migration"));
        Assert.Equal([1L, 2L], AppliedVersions());

        var status = Succeeds("-t:MigrateStatus");
        Assert.Contains("[applied] 2 create_projects", status.Output);
    }

    [Fact]
    public void MigrateOnBuild_applies_after_a_successful_build_only()
    {
        WriteUsersAndProjects();
        var build = Project.Build("-p:MigrateOnBuild=true");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal([1L, 2L], AppliedVersions());

        Project.WriteMigration("000003_lonely.up.sql", "CREATE TABLE lonely (id int);\n");
        var broken = Project.Build("-p:MigrateOnBuild=true");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.False(DatabaseFixture.TableExists(Db, "lonely"));
    }
}
