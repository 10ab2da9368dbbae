using Migrations.Build.Engine.LocalDatabase;
using Npgsql;

namespace Migrations.Build.EndToEnd.Tests;

/// <summary>MigrateScript: the SQL MigrateUp would run, as a psql script that is safe to run twice.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ScriptTests : IDisposable
{
    private readonly ConsumerProject _project;
    private readonly DatabaseFixture _database;

    public ScriptTests(PackageFixture package, DatabaseFixture database)
    {
        _project = package.NewConsumer();
        _database = database;
        _project.WritePair("000001_create_users",
            "BEGIN;\nCREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, note text DEFAULT 'it''s; fine');\nCOMMIT;\n",
            "DROP TABLE users;\n");
        _project.WritePair("000002_status_type",
            "CREATE TYPE status AS ENUM ('new', 'done');\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.note := 'touched;';\n  RETURN NEW;\nEND;\n$$;\n",
            "DROP FUNCTION touch();\nDROP TYPE status;\n");
        _project.WritePair("000003_index_email",
            "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n",
            "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY idx_users_email;\n");
    }

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Script_from_zero_run_by_psql_matches_MigrateUp_and_runs_twice()
    {
        var viaTool = _database.NewDatabase();
        _project.Variables["MIGRATION_CONNECTION_STRING"] = viaTool;
        Assert.Equal(0, _project.MSBuild("-t:MigrateUp").ExitCode);

        var scriptFile = Path.Combine(_project.Directory, "review", "all.sql");
        var script = _project.MSBuild("-t:MigrateScript", "-p:MigrationFrom=0", "-p:MigrationScriptFile=" + scriptFile);
        Assert.True(script.ExitCode == 0, script.ToString());
        Assert.Contains($"Wrote 3 migration(s) (above version 0) to {scriptFile}", script.Output);
        var text = File.ReadAllText(scriptFile);
        Assert.Contains("-- 000003_index_email (-- migrate:no-transaction: outside a transaction", text);

        var viaPsql = _database.NewDatabase();
        Psql(viaPsql, scriptFile);
        Psql(viaPsql, scriptFile); // the second run applies nothing and fails on nothing

        Assert.Equal(SchemaDump(viaTool), SchemaDump(viaPsql));
        const string history = "SELECT version, name, checksum, dirty FROM schema_migrations ORDER BY version";
        Assert.Equal(DatabaseFixture.Rows(viaTool, history).Select(r => string.Join('|', r)), DatabaseFixture.Rows(viaPsql, history).Select(r => string.Join('|', r)));
    }

    [Fact]
    public void Default_script_holds_what_is_pending_against_the_database()
    {
        var db = _database.NewDatabase();
        _project.Variables["MIGRATION_CONNECTION_STRING"] = db;
        Assert.Equal(0, _project.MSBuild("-t:MigrateUp", "-p:MigrationTarget=1").ExitCode);
        var result = _project.MSBuild("-t:MigrateScript");
        Assert.True(result.ExitCode == 0, result.ToString());
        var path = Path.Combine(_project.Directory, "obj", "migrations-script.sql");
        Assert.Contains("Wrote 2 migration(s) (pending against", result.Output);
        var text = File.ReadAllText(path);
        Assert.DoesNotContain("-- 000001_create_users", text);
        Assert.Contains("-- 000002_status_type", text);
        Psql(db, path);
        Assert.Equal(3L, DatabaseFixture.Scalar<long>(db, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public void Script_refuses_to_run_past_a_dirty_migration_like_MigrateUp()
    {
        var db = _database.NewDatabase();
        _project.Variables["MIGRATION_CONNECTION_STRING"] = db;
        Assert.Equal(0, _project.MSBuild("-t:MigrateUp", "-p:MigrationTarget=1").ExitCode);
        DatabaseFixture.Execute(db, "UPDATE schema_migrations SET dirty = true WHERE version = 1");
        var path = Path.Combine(_project.Directory, "all.sql");
        Assert.Equal(0, _project.MSBuild("-t:MigrateScript", "-p:MigrationFrom=0", "-p:MigrationScriptFile=" + path).ExitCode);

        var b = new NpgsqlConnectionStringBuilder(db);
        var psql = ProcessRunner.Run(Tool("psql"), Path.GetTempPath(), PasswordOf(b), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", b.Host!, "-p", b.Port.ToString(), "-U", b.Username!, "-d", b.Database!, "-f", path);
        Assert.NotEqual(0, psql.ExitCode);
        Assert.Contains("is dirty", psql.Output);
        Assert.False(DatabaseFixture.Scalar<bool>(db, "SELECT to_regtype('status') IS NOT NULL"));
    }

    private static string Tool(string name) => Path.Combine(PostgresBinaries.Find()!.Directory, name);

    /// <summary>The local test server asks for a password: libpq tools find it in the cluster's pgpass file.</summary>
    private static Dictionary<string, string> PasswordOf(NpgsqlConnectionStringBuilder b) =>
        b.Passfile is { Length: > 0 } file ? new() { ["PGPASSFILE"] = file } : new();

    private static void Psql(string connectionString, string file)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var result = ProcessRunner.Run(Tool("psql"), Path.GetTempPath(), PasswordOf(b), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", b.Host!, "-p", b.Port.ToString(), "-U", b.Username!, "-d", b.Database!, "-f", file);
        Assert.True(result.ExitCode == 0, result.Output);
    }

    private static string SchemaDump(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var result = ProcessRunner.Run(Tool("pg_dump"), Path.GetTempPath(), PasswordOf(b), "--schema-only", "--no-owner", "-h", b.Host!, "-p", b.Port.ToString(), "-U", b.Username!, "-d", b.Database!);
        Assert.True(result.ExitCode == 0, result.Output);
        // Comments, and the random key of pg_dump's \restrict guard (PostgreSQL 13.22+, 15.14+, …), differ per dump.
        return string.Join('\n', result.Output.Split('\n')
            .Where(l => !l.StartsWith("--") && !l.StartsWith("\\restrict") && !l.StartsWith("\\unrestrict") && l.Trim().Length > 0));
    }
}
