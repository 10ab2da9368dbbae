namespace Migrations.Build.EndToEnd.Tests;

/// <summary>MigrateUp and MigrateForce against a real PostgreSQL: history, failures, recovery, interruption, task assemblies.</summary>
[Collection(ApplyCollection.Name)]
public sealed class ApplyTests(PackageFixture package, DatabaseFixture database) : ApplyTestsBase(package, database)
{
    [Fact]
    public void MigrateUp_applies_pending_migrations_records_history_and_is_idempotent()
    {
        WriteUsersAndProjects();
        var up = Succeeds("-t:MigrateUp");
        Assert.Contains("Applied 000001_create_users", up.Output);
        Assert.Contains("Applied 000002_create_projects", up.Output);
        Assert.Contains("Applied 2 migration(s)", up.Output);
        Assert.True(DatabaseFixture.TableExists(Db, "projects"));

        // The seed's own status query works, and every column of the history is filled in.
        var rows = DatabaseFixture.Rows(Db, "SELECT version, applied_at FROM schema_migrations ORDER BY version");
        Assert.Equal([1L, 2L], rows.Select(r => (long)r[0]));
        var row = DatabaseFixture.Rows(Db, "SELECT name, checksum, execution_ms, dirty FROM schema_migrations WHERE version = 1").Single();
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
        var path = Path.Combine(Project.MigrationsDirectory, "000002_create_projects.up.sql");
        var original = File.ReadAllText(path);
        File.AppendAllText(path, "-- edited after it was applied\n");
        var changed = Fails("-t:MigrateUp");
        Assert.Equal(path, changed.Single("MIG208").File);

        // Same versions and checksums, one row dirty: refused as dirty.
        File.WriteAllText(path, original);
        DatabaseFixture.Execute(Db, "UPDATE schema_migrations SET dirty = true WHERE version = 2");
        Fails("-t:MigrateUp").Single("MIG207");
        DatabaseFixture.Execute(Db, "UPDATE schema_migrations SET dirty = false WHERE version = 2");

        // A file gone whose migration is applied: warned about, not pending.
        var down = Path.Combine(Project.MigrationsDirectory, "000002_create_projects.down.sql");
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
        Assert.False(DatabaseFixture.TableExists(Db, "projects"));

        // Again: nothing to do up to the target, which is not "up to date" while 2 is pending above it.
        var again = Succeeds("-t:MigrateUp", "-p:MigrationTarget=1").Output;
        Assert.Contains("Database is at version 1: nothing pending up to MigrationTarget=1 (1 pending above it)", again);
        Assert.DoesNotContain("up to date", again);
    }

    [Fact]
    public void Failure_points_at_the_failing_line_and_column_rolls_back_and_a_fixed_file_just_runs_again()
    {
        WriteUsersAndProjects();
        var path = Project.WriteMigration("000003_broken.up.sql",
            "-- Migration: broken\nBEGIN;\n\nCREATE TABLE audit (id int);\nALTER TABLE users\n    ADD COLUMN age integr;\n\nCOMMIT;\n");
        Project.WriteMigration("000003_broken.down.sql", "DROP TABLE audit;\n");

        var result = Fails("-t:MigrateUp");
        var d = result.Single("MIG206");
        Assert.Equal(path, d.File);
        Assert.Equal((6, 20), (d.Line, d.Column)); // "integr" on line 6
        Assert.Contains("type \"integr\" does not exist", d.Message);
        Assert.Contains("SQLSTATE 42704", d.Message);
        Assert.Equal([1L, 2L], AppliedVersions());
        Assert.False(DatabaseFixture.TableExists(Db, "audit")); // the statement before it was rolled back too

        File.WriteAllText(path, "BEGIN;\nCREATE TABLE audit (id int);\nALTER TABLE users ADD COLUMN age integer;\nCOMMIT;\n");
        Succeeds("-t:MigrateUp");
        Assert.Equal([1L, 2L, 3L], AppliedVersions());
    }

    [Fact]
    public void Connection_lost_mid_batch_keeps_earlier_migrations_and_loses_nothing()
    {
        WriteUsersAndProjects();
        // The third migration kills its own session half-way, as a dropped network or a restarted server would.
        var killer = Project.WriteMigration("000003_lost.up.sql", "CREATE TABLE lost (id int);\nSELECT pg_terminate_backend(pg_backend_pid());\n");
        Project.WriteMigration("000003_lost.down.sql", "DROP TABLE lost;\n");
        Project.WritePair("000004_after", "CREATE TABLE after_lost (id int);\n", "DROP TABLE after_lost;\n");

        var result = Fails("-t:MigrateUp");
        Assert.Contains("Applied 000002_create_projects", result.Output);
        Assert.Equal([1L, 2L], AppliedVersions());
        Assert.False(DatabaseFixture.TableExists(Db, "lost"));
        Assert.False(DatabaseFixture.TableExists(Db, "after_lost"));
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
        Project.WritePair("000003_index_users_email",
            "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
            "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY idx_users_email;\n");
        var failing = Project.WriteMigration("000004_more_indexes.up.sql",
            "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_projects_owner ON projects (owner_id);\nCREATE INDEX CONCURRENTLY idx_nope ON projects (nope);\n");
        Project.WriteMigration("000004_more_indexes.down.sql", "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS idx_projects_owner;\n");

        var result = Fails("-t:MigrateUp");
        Assert.True(DatabaseFixture.TableExists(Db, "idx_users_email"));
        var d = result.Single("MIG209");
        Assert.Equal(failing, d.File);
        Assert.Equal(3, d.Line);
        Assert.Contains("column \"nope\" does not exist", d.Message);
        Assert.Contains("line 2 (CREATE INDEX CONCURRENTLY)", d.Message);
        Assert.Contains("dotnet msbuild -t:MigrateForce -p:MigrationVersion=4", d.Message);
        Assert.Contains("-p:MigrationVersion=3", d.Message);
        Assert.True(DatabaseFixture.Scalar<bool>(Db, "SELECT dirty FROM schema_migrations WHERE version = 4"));

        // Nothing runs past a dirty migration.
        var blocked = Fails("-t:MigrateUp");
        Assert.Contains("-p:MigrationVersion=4", blocked.Single("MIG207").Message);

        // Recover: undo by hand, force to 3, fix the file, go on.
        DatabaseFixture.Execute(Db, "DROP INDEX idx_projects_owner");
        var forced = Succeeds("-t:MigrateForce", "-p:MigrationVersion=3");
        Assert.Contains("FORCED", forced.Single("MIG213").Message);
        Assert.Equal([1L, 2L, 3L], AppliedVersions());
        File.WriteAllText(failing, "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_projects_owner ON projects (owner_id);\n");
        Succeeds("-t:MigrateUp");
        Assert.Equal([1L, 2L, 3L, 4L], AppliedVersions());
        Assert.False(DatabaseFixture.Scalar<bool>(Db, "SELECT bool_or(dirty) FROM schema_migrations"));
    }

    [Fact]
    public void Recovery_commands_name_a_history_table_other_than_the_default()
    {
        // Run exactly as printed, the MigrateForce command must act on this history, not on public.schema_migrations.
        WriteUsersAndProjects();
        Project.WriteMigration("000003_idx.up.sql", "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_nope ON users (nope);\n");
        Project.WriteMigration("000003_idx.down.sql", "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS idx_nope;\n");
        string[] history = ["-p:MigrationsSchema=audit", "-p:MigrationsTable=deploy_history"];
        const string force = "dotnet msbuild -t:MigrateForce -p:MigrationsSchema=audit -p:MigrationsTable=deploy_history -p:MigrationVersion=3";
        Assert.Contains(force, Fails(["-t:MigrateUp", .. history]).Single("MIG209").Message);
        Assert.Contains(force, Fails(["-t:MigrateUp", .. history]).Single("MIG207").Message);
    }

    [Fact]
    public void Forcing_a_dirty_migration_finished_by_hand_after_fixing_its_file_records_the_fixed_file()
    {
        WriteUsersAndProjects();
        var failing = Project.WriteMigration("000003_indexes.up.sql",
            "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_users_id ON users (id);\nCREATE INDEX CONCURRENTLY idx_users_email ON users (emial);\n");
        Project.WriteMigration("000003_indexes.down.sql", "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS idx_users_email;\n");
        Assert.Contains("-p:MigrationVersion=3 (if its changes are complete)", Fails("-t:MigrateUp").Single("MIG209").Message);

        // What the advice says: fix the file, finish its statements by hand, record version 3.
        File.WriteAllText(failing, File.ReadAllText(failing).Replace("emial", "email"));
        DatabaseFixture.Execute(Db, "CREATE INDEX CONCURRENTLY idx_users_email ON users (email)");
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
        DatabaseFixture.Execute(Db, "INSERT INTO schema_migrations (version, name, checksum, applied_at, dirty) VALUES (7, 'gone', NULL, now(), true)");
        Assert.Contains("-t:MigrateForce -p:MigrationVersion=7 (complete)", Fails("-t:MigrateUp").Single("MIG207").Message);

        var unknown = Fails("-t:MigrateForce", "-p:MigrationVersion=9").Single("MIG012");
        Assert.Contains("neither the version of a migration", unknown.Message);
        Assert.True(DatabaseFixture.Scalar<bool>(Db, "SELECT dirty FROM schema_migrations WHERE version = 7"));

        Succeeds("-t:MigrateForce", "-p:MigrationVersion=7");
        Assert.Equal([1L, 2L, 7L], AppliedVersions());
        Assert.False(DatabaseFixture.Scalar<bool>(Db, "SELECT bool_or(dirty) FROM schema_migrations"));
        Succeeds("-t:MigrateUp");
    }

    [Fact]
    public void Ctrl_C_during_a_migration_reports_what_committed_and_a_coded_error_at_the_statement()
    {
        WriteUsersAndProjects();
        var slow = Project.WriteMigration("000003_slow.up.sql", "CREATE TABLE slow (id int);\nSELECT pg_sleep(60);\n");
        Project.WriteMigration("000003_slow.down.sql", "DROP TABLE slow;\n");

        var result = Project.MSBuildInterrupted(() => DatabaseFixture.Scalar<long>(Db,
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'Migrations.Build' AND state = 'active' AND query LIKE '%pg_sleep%'") == 1,
            "-t:MigrateUp");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Applied 000002_create_projects", result.Output);
        var cancelled = result.Single("MIG222");
        Assert.Equal((slow, 2, 1), (cancelled.File, cancelled.Line, cancelled.Column));
        Assert.Contains("this one was rolled back and nothing after it ran", cancelled.Message);
        Assert.Equal([1L, 2L], AppliedVersions());
        Assert.False(DatabaseFixture.TableExists(Db, "slow"));
    }

    [Fact]
    public void Transaction_control_inside_a_migration_is_refused_before_anything_runs()
    {
        WriteUsersAndProjects();
        var path = Project.WriteMigration("000003_half.up.sql", "CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\n");
        Project.WriteMigration("000003_half.down.sql", "SELECT 1;\n");
        var d = Fails("-t:MigrateUp").Single("MIG216");
        Assert.Equal((path, 2, 1), (d.File, d.Line, d.Column));
        Assert.Empty(DatabaseFixture.Rows(Db, "SELECT 1 FROM pg_tables WHERE tablename IN ('users', 'a')"));
    }

    [Fact]
    public void Result_sets_of_the_database_own_types_are_skipped_without_loading_its_types()
    {
        // The runner does not load the database's types (a catalog query per run): a migration that SELECTs an
        // enum, a composite and a domain must still run, its rows skipped undecoded.
        Project.WritePair("000001_types",
            "CREATE TYPE mood AS ENUM ('ok', 'sad');\nCREATE TYPE pair AS (a int, b text);\nCREATE DOMAIN positive AS int CHECK (VALUE > 0);\n" +
            "CREATE TABLE feelings (id int PRIMARY KEY, m mood NOT NULL, p pair, n positive);\n" +
            "INSERT INTO feelings VALUES (1, 'ok', ROW(1, 'x'), 5);\n" +
            "SELECT m, p, n, ARRAY[m] AS moods FROM feelings;\n",
            "DROP TABLE feelings;\nDROP DOMAIN positive;\nDROP TYPE pair;\nDROP TYPE mood;\n");
        Project.WritePair("000002_more", "SELECT 'sad'::mood;\nALTER TYPE mood ADD VALUE 'glad';\n", "SELECT 1;\n");
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
        Project.WriteMigration("000002_duplicate.up.sql", "SELECT 1;\n");
        Project.WriteMigration("000002_duplicate.down.sql", "SELECT 1;\n");
        var result = Fails("-t:MigrateUp");
        Assert.Contains(result.Diagnostics, d => d.Code == "MIG002");
        Assert.Contains("nothing was run against the database", result.Output);
        Assert.DoesNotContain(result.Diagnostics, d => d.Code.StartsWith("MIG2", StringComparison.Ordinal));
        Assert.False(DatabaseFixture.TableExists(Db, "schema_migrations"));

        // Against a server that is not there: the folder's errors still come, and no connection error with them.
        Project.Variables["MIGRATION_CONNECTION_STRING"] = new Npgsql.NpgsqlConnectionStringBuilder(Db) { Port = 1, Timeout = 3 }.ConnectionString;
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
        var build = Project.Build("-p:_MigrationsTasksFramework=net8.0");
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
        var jitLog = Path.Combine(Project.Directory, "jit-compiled.txt");
        Project.Variables["DOTNET_JitStdOutFile"] = jitLog;
        Project.Variables["DOTNET_JitDisasmSummary"] = "1";
        Succeeds("-t:MigrateUp");
        Succeeds("-t:MigrateUp");

        var compiled = File.ReadAllLines(jitLog);
        Assert.Contains(compiled, line => line.Contains("JIT compiled Microsoft.Build.", StringComparison.Ordinal));
        var ours = compiled.Where(line => line.Contains("JIT compiled Migrations.Build.", StringComparison.Ordinal)).ToList();
        Assert.True(ours.Count == 0, $"JIT-compiled at run time:\n{string.Join('\n', ours)}");
    }
}
