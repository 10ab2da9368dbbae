namespace Migrations.Build.EndToEnd.Tests;

/// <summary>MigrateUp, MigrateDown, MigrateStatus, MigrateForce and MigrateBaseline against a real PostgreSQL.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ApplyTests : IDisposable
{
    private readonly ConsumerProject _project;
    private readonly string _db;

    public ApplyTests(PackageFixture package, DatabaseFixture database)
    {
        _project = package.NewConsumer();
        _db = database.NewDatabase();
        _project.Variables["MIGRATION_CONNECTION_STRING"] = _db;
    }

    public void Dispose() => _project.Dispose();

    private void WriteUsersAndProjects()
    {
        _project.WritePair("000001_create_users",
            "BEGIN;\nCREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\nCOMMIT;\n",
            "BEGIN;\nDROP TABLE users;\nCOMMIT;\n");
        _project.WritePair("000002_create_projects",
            "CREATE TABLE projects (id bigint PRIMARY KEY, owner_id bigint REFERENCES users (id));\n",
            "DROP TABLE projects;\n");
    }

    private CommandResult Succeeds(params string[] args)
    {
        var result = _project.MSBuild(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private CommandResult Fails(params string[] args)
    {
        var result = _project.MSBuild(args);
        Assert.True(result.ExitCode != 0, result.ToString());
        return result;
    }

    private List<long> AppliedVersions() =>
        DatabaseFixture.Rows(_db, "SELECT version FROM schema_migrations ORDER BY version").Select(r => (long)r[0]).ToList();

    [Fact]
    public void MigrateUp_applies_pending_migrations_records_history_and_is_idempotent()
    {
        WriteUsersAndProjects();
        var up = Succeeds("-t:MigrateUp");
        Assert.Contains("Applied 000001_create_users", up.Output);
        Assert.Contains("Applied 000002_create_projects", up.Output);
        Assert.Contains("Applied 2 migration(s)", up.Output);
        Assert.True(DatabaseFixture.TableExists(_db, "projects"));

        // The seed's own status query works, and every column of the history is filled in.
        var rows = DatabaseFixture.Rows(_db, "SELECT version, applied_at FROM schema_migrations ORDER BY version");
        Assert.Equal([1L, 2L], rows.Select(r => (long)r[0]));
        var row = DatabaseFixture.Rows(_db, "SELECT name, checksum, execution_ms, dirty FROM schema_migrations WHERE version = 1").Single();
        Assert.Equal("create_users", row[0]);
        Assert.Equal(64, ((string)row[1]).Length);
        Assert.True((int)row[2] >= 0);
        Assert.False((bool)row[3]);

        var again = Succeeds("-t:MigrateUp");
        Assert.Contains("up to date at version 2", again.Output);
    }

    [Fact]
    public void With_every_migration_applied_an_edit_a_dirty_row_and_a_vanished_file_are_each_caught()
    {
        WriteUsersAndProjects();
        Succeeds("-t:MigrateUp");

        // Same versions, one checksum different: the edit is refused.
        var path = Path.Combine(_project.MigrationsDirectory, "000002_create_projects.up.sql");
        var original = File.ReadAllText(path);
        File.AppendAllText(path, "-- edited after it was applied\n");
        var changed = Fails("-t:MigrateUp");
        Assert.Equal(path, changed.Single("MIG208").File);

        // Same versions and checksums, one row dirty: refused as dirty.
        File.WriteAllText(path, original);
        DatabaseFixture.Execute(_db, "UPDATE schema_migrations SET dirty = true WHERE version = 2");
        Fails("-t:MigrateUp").Single("MIG207");
        DatabaseFixture.Execute(_db, "UPDATE schema_migrations SET dirty = false WHERE version = 2");

        // A file gone whose migration is applied: warned about, not pending.
        var down = Path.Combine(_project.MigrationsDirectory, "000002_create_projects.down.sql");
        File.Move(path, path + ".bak");
        File.Move(down, down + ".bak");
        var missing = Succeeds("-t:MigrateUp");
        Assert.Contains("version 2 (create_projects) is applied", missing.Single("MIG211").Message);
    }

    [Fact]
    public void MigrationTarget_stops_at_that_version()
    {
        WriteUsersAndProjects();
        Succeeds("-t:MigrateUp", "-p:MigrationTarget=1");
        Assert.Equal([1L], AppliedVersions());
        Assert.False(DatabaseFixture.TableExists(_db, "projects"));

        // Again: nothing to do up to the target, which is not "up to date" while 2 is pending above it.
        var again = Succeeds("-t:MigrateUp", "-p:MigrationTarget=1").Output;
        Assert.Contains("Database is at version 1: nothing pending up to MigrationTarget=1 (1 pending above it)", again);
        Assert.DoesNotContain("up to date", again);
    }

    [Fact]
    public void Failure_points_at_the_failing_line_and_column_rolls_back_and_a_fixed_file_just_runs_again()
    {
        WriteUsersAndProjects();
        var path = _project.WriteMigration("000003_broken.up.sql",
            "-- Migration: broken\nBEGIN;\n\nCREATE TABLE audit (id int);\nALTER TABLE users\n    ADD COLUMN age integr;\n\nCOMMIT;\n");
        _project.WriteMigration("000003_broken.down.sql", "DROP TABLE audit;\n");

        var result = Fails("-t:MigrateUp");
        var d = result.Single("MIG206");
        Assert.Equal(path, d.File);
        Assert.Equal((6, 20), (d.Line, d.Column)); // "integr" on line 6
        Assert.Contains("type \"integr\" does not exist", d.Message);
        Assert.Contains("SQLSTATE 42704", d.Message);
        Assert.Equal([1L, 2L], AppliedVersions());
        Assert.False(DatabaseFixture.TableExists(_db, "audit")); // the statement before it was rolled back too

        File.WriteAllText(path, "BEGIN;\nCREATE TABLE audit (id int);\nALTER TABLE users ADD COLUMN age integer;\nCOMMIT;\n");
        Succeeds("-t:MigrateUp");
        Assert.Equal([1L, 2L, 3L], AppliedVersions());
    }

    [Fact]
    public void Connection_lost_mid_batch_keeps_earlier_migrations_and_loses_nothing()
    {
        WriteUsersAndProjects();
        // The third migration kills its own session half-way, as a dropped network or a restarted server would.
        var killer = _project.WriteMigration("000003_lost.up.sql", "CREATE TABLE lost (id int);\nSELECT pg_terminate_backend(pg_backend_pid());\n");
        _project.WriteMigration("000003_lost.down.sql", "DROP TABLE lost;\n");
        _project.WritePair("000004_after", "CREATE TABLE after_lost (id int);\n", "DROP TABLE after_lost;\n");

        var result = Fails("-t:MigrateUp");
        Assert.Contains("Applied 000002_create_projects", result.Output);
        Assert.Equal([1L, 2L], AppliedVersions());
        Assert.False(DatabaseFixture.TableExists(_db, "lost"));
        Assert.False(DatabaseFixture.TableExists(_db, "after_lost"));
        var lost = result.Single("MIG206");
        Assert.Equal((killer, 2, 1), (lost.File, lost.Line, lost.Column));
        Assert.Contains("SQLSTATE 57P01", lost.Message);
        Assert.Contains("not from the file: run again", lost.Message); // terminated, not wrong: no "fix the file"

        File.WriteAllText(killer, "CREATE TABLE lost (id int);\n");
        Succeeds("-t:MigrateUp");
        Assert.Equal([1L, 2L, 3L, 4L], AppliedVersions());
    }

    [Fact]
    public void Non_transactional_migration_runs_concurrently_and_its_failure_leaves_a_dirty_row_with_recovery_advice()
    {
        WriteUsersAndProjects();
        _project.WritePair("000003_index_users_email",
            "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
            "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY idx_users_email;\n");
        var failing = _project.WriteMigration("000004_more_indexes.up.sql",
            "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_projects_owner ON projects (owner_id);\nCREATE INDEX CONCURRENTLY idx_nope ON projects (nope);\n");
        _project.WriteMigration("000004_more_indexes.down.sql", "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS idx_projects_owner;\n");

        var result = Fails("-t:MigrateUp");
        Assert.True(DatabaseFixture.TableExists(_db, "idx_users_email"));
        var d = result.Single("MIG209");
        Assert.Equal(failing, d.File);
        Assert.Equal(3, d.Line);
        Assert.Contains("column \"nope\" does not exist", d.Message);
        Assert.Contains("line 2 (CREATE INDEX CONCURRENTLY)", d.Message);
        Assert.Contains("dotnet msbuild -t:MigrateForce -p:MigrationVersion=4", d.Message);
        Assert.Contains("-p:MigrationVersion=3", d.Message);
        Assert.True(DatabaseFixture.Scalar<bool>(_db, "SELECT dirty FROM schema_migrations WHERE version = 4"));

        // Nothing runs past a dirty migration.
        var blocked = Fails("-t:MigrateUp");
        Assert.Contains("-p:MigrationVersion=4", blocked.Single("MIG207").Message);

        // Recover: undo by hand, force to 3, fix the file, go on.
        DatabaseFixture.Execute(_db, "DROP INDEX idx_projects_owner");
        var forced = Succeeds("-t:MigrateForce", "-p:MigrationVersion=3");
        Assert.Contains("FORCED", forced.Single("MIG213").Message);
        Assert.Equal([1L, 2L, 3L], AppliedVersions());
        File.WriteAllText(failing, "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_projects_owner ON projects (owner_id);\n");
        Succeeds("-t:MigrateUp");
        Assert.Equal([1L, 2L, 3L, 4L], AppliedVersions());
        Assert.False(DatabaseFixture.Scalar<bool>(_db, "SELECT bool_or(dirty) FROM schema_migrations"));
    }

    [Fact]
    public void Recovery_commands_name_a_history_table_other_than_the_default()
    {
        // Run exactly as printed, the MigrateForce command must act on this history, not on public.schema_migrations.
        WriteUsersAndProjects();
        _project.WriteMigration("000003_idx.up.sql", "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_nope ON users (nope);\n");
        _project.WriteMigration("000003_idx.down.sql", "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS idx_nope;\n");
        string[] history = ["-p:MigrationsSchema=audit", "-p:MigrationsTable=deploy_history"];
        const string force = "dotnet msbuild -t:MigrateForce -p:MigrationsSchema=audit -p:MigrationsTable=deploy_history -p:MigrationVersion=3";
        Assert.Contains(force, Fails(["-t:MigrateUp", .. history]).Single("MIG209").Message);
        Assert.Contains(force, Fails(["-t:MigrateUp", .. history]).Single("MIG207").Message);
    }

    [Fact]
    public void Forcing_a_dirty_migration_finished_by_hand_after_fixing_its_file_records_the_fixed_file()
    {
        WriteUsersAndProjects();
        var failing = _project.WriteMigration("000003_indexes.up.sql",
            "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_users_id ON users (id);\nCREATE INDEX CONCURRENTLY idx_users_email ON users (emial);\n");
        _project.WriteMigration("000003_indexes.down.sql", "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS idx_users_email;\n");
        Assert.Contains("-p:MigrationVersion=3 (if its changes are complete)", Fails("-t:MigrateUp").Single("MIG209").Message);

        // What the advice says: fix the file, finish its statements by hand, record version 3.
        File.WriteAllText(failing, File.ReadAllText(failing).Replace("emial", "email"));
        DatabaseFixture.Execute(_db, "CREATE INDEX CONCURRENTLY idx_users_email ON users (email)");
        var forced = Succeeds("-t:MigrateForce", "-p:MigrationVersion=3");
        Assert.Contains("its checksum is recorded anew", forced.Single("MIG213").Message);

        // The fixed file is what the history now holds: no MIG208, nothing pending.
        var up = Succeeds("-t:MigrateUp");
        Assert.DoesNotContain(up.Diagnostics, d => d.Code == "MIG208");
        Assert.Contains("up to date at version 3", up.Output);
    }

    [Fact]
    public void MigrateForce_accepts_a_version_the_history_records_without_a_file_and_refuses_one_nobody_knows()
    {
        WriteUsersAndProjects();
        Succeeds("-t:MigrateUp");
        // A dirty row whose file is gone (left by another tool, or a file deleted since).
        DatabaseFixture.Execute(_db, "INSERT INTO schema_migrations (version, name, checksum, applied_at, dirty) VALUES (7, 'gone', NULL, now(), true)");
        Assert.Contains("-t:MigrateForce -p:MigrationVersion=7 (complete)", Fails("-t:MigrateUp").Single("MIG207").Message);

        var unknown = Fails("-t:MigrateForce", "-p:MigrationVersion=9").Single("MIG012");
        Assert.Contains("neither the version of a migration", unknown.Message);
        Assert.True(DatabaseFixture.Scalar<bool>(_db, "SELECT dirty FROM schema_migrations WHERE version = 7"));

        Succeeds("-t:MigrateForce", "-p:MigrationVersion=7");
        Assert.Equal([1L, 2L, 7L], AppliedVersions());
        Assert.False(DatabaseFixture.Scalar<bool>(_db, "SELECT bool_or(dirty) FROM schema_migrations"));
        Succeeds("-t:MigrateUp");
    }

    [Fact]
    public void Ctrl_C_during_a_migration_reports_what_committed_and_a_coded_error_at_the_statement()
    {
        WriteUsersAndProjects();
        var slow = _project.WriteMigration("000003_slow.up.sql", "CREATE TABLE slow (id int);\nSELECT pg_sleep(60);\n");
        _project.WriteMigration("000003_slow.down.sql", "DROP TABLE slow;\n");

        var result = _project.MSBuildInterrupted(() => DatabaseFixture.Scalar<long>(_db,
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'Migrations.Build' AND state = 'active' AND query LIKE '%pg_sleep%'") == 1,
            "-t:MigrateUp");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Applied 000002_create_projects", result.Output);
        var cancelled = result.Single("MIG222");
        Assert.Equal((slow, 2, 1), (cancelled.File, cancelled.Line, cancelled.Column));
        Assert.Contains("this one was rolled back and nothing after it ran", cancelled.Message);
        Assert.Equal([1L, 2L], AppliedVersions());
        Assert.False(DatabaseFixture.TableExists(_db, "slow"));
    }

    [Fact]
    public void Transaction_control_inside_a_migration_is_refused_before_anything_runs()
    {
        WriteUsersAndProjects();
        var path = _project.WriteMigration("000003_half.up.sql", "CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\n");
        _project.WriteMigration("000003_half.down.sql", "SELECT 1;\n");
        var d = Fails("-t:MigrateUp").Single("MIG216");
        Assert.Equal((path, 2, 1), (d.File, d.Line, d.Column));
        Assert.Empty(DatabaseFixture.Rows(_db, "SELECT 1 FROM pg_tables WHERE tablename IN ('users', 'a')"));
    }

    [Fact]
    public void Result_sets_of_the_database_own_types_are_skipped_without_loading_its_types()
    {
        // The runner does not load the database's types (a catalog query per run): a migration that SELECTs an
        // enum, a composite and a domain must still run, its rows skipped undecoded.
        _project.WritePair("000001_types",
            "CREATE TYPE mood AS ENUM ('ok', 'sad');\nCREATE TYPE pair AS (a int, b text);\nCREATE DOMAIN positive AS int CHECK (VALUE > 0);\n" +
            "CREATE TABLE feelings (id int PRIMARY KEY, m mood NOT NULL, p pair, n positive);\n" +
            "INSERT INTO feelings VALUES (1, 'ok', ROW(1, 'x'), 5);\n" +
            "SELECT m, p, n, ARRAY[m] AS moods FROM feelings;\n",
            "DROP TABLE feelings;\nDROP DOMAIN positive;\nDROP TYPE pair;\nDROP TYPE mood;\n");
        _project.WritePair("000002_more", "SELECT 'sad'::mood;\nALTER TYPE mood ADD VALUE 'glad';\n", "SELECT 1;\n");
        Succeeds("-t:MigrateUp");
        Assert.Equal([1L, 2L], AppliedVersions());
        Assert.Contains("Rolled back 000002_more", Succeeds("-t:MigrateDown").Output);
        var status = Succeeds("-t:MigrateStatus").Output;
        Assert.Contains("[applied] 1 types", status);
        Assert.Contains("[pending] 2 more", status);
    }

    [Fact]
    public void Folder_errors_are_reported_and_nothing_runs_while_the_connection_opens_alongside()
    {
        // The folder is read while the connection opens: with errors in it, the connection is closed unused and
        // the history is not even created.
        WriteUsersAndProjects();
        _project.WriteMigration("000002_duplicate.up.sql", "SELECT 1;\n");
        _project.WriteMigration("000002_duplicate.down.sql", "SELECT 1;\n");
        var result = Fails("-t:MigrateUp");
        Assert.Contains(result.Diagnostics, d => d.Code == "MIG002");
        Assert.Contains("nothing was run against the database", result.Output);
        Assert.DoesNotContain(result.Diagnostics, d => d.Code.StartsWith("MIG2", StringComparison.Ordinal));
        Assert.False(DatabaseFixture.TableExists(_db, "schema_migrations"));

        // Against a server that is not there: the folder's errors still come, and no connection error with them.
        _project.Variables["MIGRATION_CONNECTION_STRING"] = new Npgsql.NpgsqlConnectionStringBuilder(_db) { Port = 1, Timeout = 3 }.ConnectionString;
        var unreachable = Fails("-t:MigrateUp");
        Assert.Contains(unreachable.Diagnostics, d => d.Code == "MIG002");
        Assert.DoesNotContain(unreachable.Diagnostics, d => d.Code.StartsWith("MIG2", StringComparison.Ordinal));
    }

    [Fact]
    public void The_net8_task_assemblies_for_older_SDKs_work_too()
    {
        // SDK 10 and later get the precompiled net10.0 tasks; SDK 8 and 9 get net8.0. Force the latter here.
        WriteUsersAndProjects();
        var up = Succeeds("-t:MigrateUp", "-p:_MigrationsTasksFramework=net8.0", "-v:d");
        Assert.Contains(Path.Combine("tasks", "net8.0", "Migrations.Build.Tasks.dll"), up.Output);
        Assert.DoesNotContain(Path.Combine("tasks", "net10.0"), up.Output);
        Assert.Equal([1L, 2L], AppliedVersions());
        var build = _project.Build("-p:_MigrationsTasksFramework=net8.0");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("Validated 2 migration(s)", build.Output);

        var current = Succeeds("-t:MigrateStatus", "-v:d");
        Assert.Contains(Path.Combine("tasks", "net10.0", "Migrations.Build.Tasks.dll"), current.Output);
    }

    [Fact]
    public void The_net10_task_assemblies_run_precompiled()
    {
        // Their ReadyToRun code is built for linux-x64; elsewhere they are JIT-compiled like the net8.0 set.
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64) return;
        // crossgen2 skips, without a word, every method it cannot compile: once, for want of MSBuild's metadata,
        // all the task methods. So ask the runtime what it JIT-compiled while the tasks ran.
        WriteUsersAndProjects();
        var jitLog = Path.Combine(_project.Directory, "jit-compiled.txt");
        _project.Variables["DOTNET_JitStdOutFile"] = jitLog;
        _project.Variables["DOTNET_JitDisasmSummary"] = "1";
        Succeeds("-t:MigrateUp");
        Succeeds("-t:MigrateUp");

        var compiled = File.ReadAllLines(jitLog);
        Assert.Contains(compiled, line => line.Contains("JIT compiled Microsoft.Build.", StringComparison.Ordinal));
        var ours = compiled.Where(line => line.Contains("JIT compiled Migrations.Build.", StringComparison.Ordinal)).ToList();
        Assert.True(ours.Count == 0, $"JIT-compiled at run time:\n{string.Join('\n', ours)}");
    }

    [Fact]
    public void Changed_applied_migration_is_refused_before_anything_runs()
    {
        WriteUsersAndProjects();
        Succeeds("-t:MigrateUp", "-p:MigrationTarget=1");
        var path = Path.Combine(_project.MigrationsDirectory, "000001_create_users.up.sql");
        File.AppendAllText(path, "-- edited\n");
        var d = Fails("-t:MigrateUp").Single("MIG208");
        Assert.Equal(path, d.File);
        Assert.Equal([1L], AppliedVersions());
    }

    [Fact]
    public void MigrateDown_rolls_back_one_then_to_a_target_and_reports_missing_down_scripts_first()
    {
        WriteUsersAndProjects();
        _project.WritePair("000003_add_age", "ALTER TABLE users ADD COLUMN age int;\n", "ALTER TABLE users DROP COLUMN age;\n");
        Succeeds("-t:MigrateUp");

        // Rolling back drops things: against a configured database that needs an explicit yes.
        var refused = Fails("-t:MigrateDown");
        Assert.Contains("DROP COLUMN", refused.Single("MIG219").Message);
        Assert.Equal([1L, 2L, 3L], AppliedVersions());
        Assert.Contains("Rolled back 000003_add_age", Succeeds("-t:MigrateDown", "-p:AllowDestructiveMigrations=true").Output);
        Assert.Equal([1L, 2L], AppliedVersions());
        Succeeds("-t:MigrateDown", "-p:MigrationTarget=0", "-p:AllowDestructiveMigrations=true");
        Assert.Empty(AppliedVersions());
        Assert.False(DatabaseFixture.TableExists(_db, "users"));

        Succeeds("-t:MigrateUp");
        File.Delete(Path.Combine(_project.MigrationsDirectory, "000002_create_projects.down.sql"));
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

        var jsonFile = Path.Combine(_project.Directory, "status.json");
        Succeeds("-t:MigrateStatus", "-p:MigrationStatusFormat=json", "-p:MigrationStatusFile=" + jsonFile);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(jsonFile));
        Assert.Equal(1, json.RootElement.GetProperty("currentVersion").GetInt64());
        Assert.Equal(2, json.RootElement.GetProperty("pending")[0].GetProperty("version").GetInt64());
        var textFile = Path.Combine(_project.Directory, "status.txt");
        Succeeds("-t:MigrateStatus", "-p:MigrationStatusFile=" + textFile);
        Assert.Contains("[pending] 2 create_projects", File.ReadAllText(textFile));

        var gate = Fails("-t:MigrateStatus", "-p:MigrationFailOnPending=true");
        Assert.Contains("create_projects", gate.Single("MIG212").Message);
        Succeeds("-t:MigrateUp");
        Succeeds("-t:MigrateStatus", "-p:MigrationFailOnPending=true");

        // A state MigrateUp would refuse is a warning in a plain status, and fails the gate.
        File.AppendAllText(Path.Combine(_project.MigrationsDirectory, "000002_create_projects.up.sql"), "-- edited\n");
        Assert.False(Succeeds("-t:MigrateStatus").Single("MIG208").IsError);
        Assert.True(Fails("-t:MigrateStatus", "-p:MigrationFailOnPending=true").Single("MIG208").IsError);
    }

    [Fact]
    public void MigrateBaseline_records_an_existing_schema_and_refuses_a_managed_database()
    {
        _project.WriteMigration("001_users.sql", "CREATE TABLE users (id int);\n");
        _project.WriteMigration("002_projects.sql", "CREATE TABLE projects (id int);\n");
        _project.WriteMigration("003_tags.sql", "CREATE TABLE tags (id int);\n");
        DatabaseFixture.Execute(_db, "CREATE TABLE users (id int); CREATE TABLE projects (id int);");

        Assert.Contains("Baselined", Succeeds("-t:MigrateBaseline", "-p:MigrationVersion=2").Output);
        Succeeds("-t:MigrateUp");
        Assert.Equal([1L, 2L, 3L], AppliedVersions());
        Assert.True(DatabaseFixture.TableExists(_db, "tags"));

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
        _project.WritePair("000003_add_age", "ALTER TABLE users ADD COLUMN age int;\n", "ALTER TABLE users DROP COLUMN age;\n");
        DatabaseFixture.Execute(_db,
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
        DatabaseFixture.Execute(_db,
            "CREATE SCHEMA app; CREATE TABLE app.users (id bigint PRIMARY KEY, email text NOT NULL);" +
            "CREATE TABLE app.schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);" +
            "INSERT INTO app.schema_migrations VALUES (1, false);");
        _project.Variables["MIGRATION_CONNECTION_STRING"] = new Npgsql.NpgsqlConnectionStringBuilder(_db) { SearchPath = "app" }.ConnectionString;

        var refused = Fails("-t:MigrateUp").Single("MIG217");
        Assert.Contains("set MigrationsSchema=app", refused.Message);
        Assert.False(DatabaseFixture.TableExists(_db, "projects"));
        Assert.Equal(0L, DatabaseFixture.Scalar<long>(_db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));

        var adopted = Succeeds("-t:MigrateUp", "-p:MigrationsSchema=app");
        Assert.Contains("Converted the golang-migrate table app.schema_migrations (version 1)", adopted.Output);
        Assert.DoesNotContain("Applied 000001", adopted.Output);
        Assert.Contains("Applied 000002_create_projects", adopted.Output);
    }

    [Fact]
    public async Task Parallel_MigrateUp_processes_apply_each_migration_exactly_once()
    {
        DatabaseFixture.Execute(_db, "CREATE TABLE apply_log (version int)");
        for (var v = 1; v <= 5; v++)
        {
            _project.WriteMigration($"{v:000}_step_{v}.sql", $"INSERT INTO apply_log VALUES ({v});\nSELECT pg_sleep(0.2);\n");
        }
        Succeeds("-t:Restore"); // restore once, so the parallel runs do not race on it
        var runs = Enumerable.Range(0, 3).Select(_ => Task.Run(() => _project.MSBuild("-t:MigrateUp"))).ToArray();
        var results = await Task.WhenAll(runs);
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(5L, DatabaseFixture.Scalar<long>(_db, "SELECT count(*) FROM apply_log"));
        Assert.Equal(5L, DatabaseFixture.Scalar<long>(_db, "SELECT count(DISTINCT version) FROM apply_log"));
    }

    [Fact]
    public void Out_of_order_migration_is_refused_shown_in_status_then_applied_when_allowed()
    {
        WriteUsersAndProjects();
        _project.WritePair("000004_add_age", "ALTER TABLE users ADD COLUMN age int;\n", "ALTER TABLE users DROP COLUMN age;\n");
        Succeeds("-t:MigrateUp");
        // A branch merged late brings version 3.
        var late = _project.WriteMigration("000003_add_nick.up.sql", "ALTER TABLE users ADD COLUMN nick text;\n");
        _project.WriteMigration("000003_add_nick.down.sql", "ALTER TABLE users DROP COLUMN nick;\n");

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
        var broken = _project.WriteMigration("000003_broken.up.sql", "ALTER TABLE users ADD COLUMN age integr;\n");
        _project.WriteMigration("000003_broken.down.sql", "SELECT 1;\n");
        var result = Fails("-t:MigrateUp", "-p:MigrationTransactionMode=all");
        var d = result.Single("MIG206");
        Assert.Equal((broken, 1, 34), (d.File, d.Line, d.Column));
        Assert.Contains("nothing of this run was applied", d.Message);
        Assert.Empty(DatabaseFixture.Rows(_db, "SELECT 1 FROM pg_tables WHERE tablename IN ('users', 'projects', 'schema_migrations') AND tablename <> 'schema_migrations'"));
        Assert.Empty(AppliedVersions());

        File.WriteAllText(broken, "SELECT pg_sleep(0.5);\nALTER TABLE users ADD COLUMN age integer;\n");
        _project.WritePair("000004_quick", "ALTER TABLE users ADD COLUMN nick text;\n", "ALTER TABLE users DROP COLUMN nick;\n");
        Succeeds("-t:MigrateUp", "-p:MigrationTransactionMode=all");
        Assert.Equal([1L, 2L, 3L, 4L], AppliedVersions());

        // Each row records its own migration's time, not the time since the shared transaction began.
        var ms = DatabaseFixture.Rows(_db, "SELECT execution_ms FROM schema_migrations ORDER BY version").Select(r => (int)r[0]).ToList();
        Assert.True(ms[2] >= 500, string.Join(", ", ms));
        Assert.True(ms[3] < ms[2], string.Join(", ", ms));
    }

    [Fact]
    public void All_mode_refuses_a_non_transactional_migration()
    {
        WriteUsersAndProjects();
        _project.WritePair("000003_idx", "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON users (email);\n", "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY i;\n");
        var result = Fails("-t:MigrateUp", "-p:MigrationTransactionMode=all");
        Assert.Contains("MigrationTransactionMode=all", result.Single("MIG221").Message);
        Assert.False(DatabaseFixture.TableExists(_db, "users"));
    }

    [Fact]
    public void Destructive_migration_is_refused_against_a_configured_database_until_allowed()
    {
        WriteUsersAndProjects();
        Succeeds("-t:MigrateUp");
        var up = _project.WriteMigration("000003_drop_projects.up.sql", "-- migrate:ignore MIG112\nALTER TABLE users DROP COLUMN email;\nDROP TABLE projects;\n");
        _project.WriteMigration("000003_drop_projects.down.sql", "CREATE TABLE projects (id bigint);\nALTER TABLE users ADD COLUMN email text;\n");

        var refused = Fails("-t:MigrateUp");
        var listed = refused.Diagnostics.Where(d => d.Code == "MIG219").Select(d => (d.File, d.Line, d.Column)).ToList();
        Assert.Equal([(up, 2, 1), (up, 3, 1)], listed);
        Assert.True(DatabaseFixture.TableExists(_db, "projects"));
        Assert.Equal([1L, 2L], AppliedVersions());

        Succeeds("-t:MigrateUp", "-p:AllowDestructiveMigrations=true");
        Assert.False(DatabaseFixture.TableExists(_db, "projects"));
    }

    [Fact]
    public void MigrateRenumber_refuses_to_move_a_migration_the_database_has_applied()
    {
        // This branch applied its 000002 locally; main's older 000002 arrives with the merge.
        _project.WritePair("000001_create_users", "CREATE TABLE users (id int);\n", "DROP TABLE users;\n");
        _project.WritePair("000002_mine", "CREATE TABLE mine (id int);\n", "DROP TABLE mine;\n");
        Succeeds("-t:MigrateUp");
        _project.WritePair("000002_theirs", "CREATE TABLE theirs (id int);\n", "DROP TABLE theirs;\n");
        foreach (var file in Directory.GetFiles(_project.MigrationsDirectory, "000002_theirs.*"))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-2));
        }

        var refused = Fails("-t:MigrateRenumber");
        var d = refused.Single("MIG306");
        Assert.EndsWith("000002_mine.up.sql", d.File);
        Assert.True(File.Exists(Path.Combine(_project.MigrationsDirectory, "000002_mine.up.sql")));
        Assert.False(File.Exists(Path.Combine(_project.MigrationsDirectory, "000003_mine.up.sql")));
    }

    [Fact]
    public void Multi_targeted_project_validates_and_applies_once_and_has_the_Migrate_targets()
    {
        // TargetFrameworks (plural) makes an outer build that dispatches to one inner build per framework.
        _project.WriteProject(null, "<TargetFrameworks>net10.0</TargetFrameworks>");
        WriteUsersAndProjects();
        var build = _project.Build("-p:MigrateOnBuild=true");
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
        var build = _project.Build("-p:MigrateOnBuild=true");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal([1L, 2L], AppliedVersions());

        _project.WriteMigration("000003_lonely.up.sql", "CREATE TABLE lonely (id int);\n");
        var broken = _project.Build("-p:MigrateOnBuild=true");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.False(DatabaseFixture.TableExists(_db, "lonely"));
    }
}
