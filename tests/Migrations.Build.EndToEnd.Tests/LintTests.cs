namespace Migrations.Build.EndToEnd.Tests;

/// <summary>Every SQL rule fires on its bad example and stays silent on its good one, through the packed package.</summary>
[Collection(PackageCollection.Name)]
public sealed class LintTests(PackageFixture package) : IDisposable
{
    private readonly ConsumerProject _project = package.NewConsumer();

    public void Dispose() => _project.Dispose();

    private string File(string name) => Path.Combine(_project.MigrationsDirectory, name);

    private void Base() => _project.WritePair("000001_base", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n", "DROP TABLE users;\n");

    [Fact]
    public void Each_rule_fires_on_its_bad_example_at_the_right_place()
    {
        Base();
        _project.WritePair("000002_index_in_transaction", "BEGIN;\nCREATE INDEX CONCURRENTLY idx_a ON users (email);\nCOMMIT;\n", "DROP INDEX IF EXISTS idx_a;\n");
        _project.WritePair("000003_commit_without_begin", "CREATE TABLE t3 (id int);\nCOMMIT;\n", "DROP TABLE t3;\n");
        _project.WritePair("000004_drop_in_up", "DROP TABLE legacy;\n", "CREATE TABLE legacy (id int);\n");
        _project.WritePair("000005_cascade", "CREATE TABLE t5 (id int);\n", "DROP TABLE t5 CASCADE;\n");
        _project.WritePair("000006_not_null_without_default", "ALTER TABLE users ADD COLUMN tier text NOT NULL;\n", "ALTER TABLE users DROP COLUMN tier;\n");
        _project.WritePair("000007_blocking_index", "CREATE INDEX idx_email ON users (email);\n", "DROP INDEX idx_email;\n");
        _project.WritePair("000008_down_forgets", "CREATE TABLE projects (id int);\n", "SELECT 1;\n");
        _project.WritePair("000009_useless_suppression", "-- migrate:ignore MIG112\nCREATE TABLE t9 (id int);\n", "DROP TABLE t9;\n");
        _project.WritePair("000010_suppressed", "-- migrate:ignore MIG112\nDROP TABLE old_stuff;\n", "CREATE TABLE old_stuff (id int);\n");
        _project.WritePair("000011_suppressed_file", "-- migrate:ignore-file MIG115\nCREATE INDEX i1 ON users (id);\nCREATE INDEX i2 ON users (email);\n", "DROP INDEX i1;\nDROP INDEX i2;\n");

        var result = _project.Build();
        Assert.NotEqual(0, result.ExitCode);
        var expected = new[]
        {
            ("MIG110", "000002_index_in_transaction.up.sql", 2, 14, true),
            ("MIG111", "000003_commit_without_begin.up.sql", 2, 1, true),
            ("MIG112", "000004_drop_in_up.up.sql", 1, 1, false),
            ("MIG113", "000005_cascade.down.sql", 1, 15, false),
            ("MIG114", "000006_not_null_without_default.up.sql", 1, 40, false),
            ("MIG115", "000007_blocking_index.up.sql", 1, 1, false),
            ("MIG116", "000008_down_forgets.down.sql", 1, 1, false),
            ("MIG118", "000009_useless_suppression.up.sql", 1, 1, false),
        };
        var actual = result.Diagnostics.Select(d => (d.Code, Path.GetFileName(d.File), d.Line, d.Column, d.IsError)).OrderBy(d => d.Code).ToList();
        Assert.Equal(expected, actual);
        Assert.All(result.Diagnostics, d => Assert.Equal(Path.TrimEndingDirectorySeparator(_project.MigrationsDirectory), Path.GetDirectoryName(d.File)));
    }

    [Fact]
    public void Good_examples_build_clean()
    {
        Base();
        _project.WritePair("000002_index_outside_transaction",
            "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_a ON users (email);\n",
            "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS idx_a;\n");
        _project.WritePair("000003_wrapped", "BEGIN;\nCREATE TABLE t3 (id int);\nCOMMIT;\n", "DROP TABLE t3;\n");
        _project.WritePair("000004_targeted_delete", "DELETE FROM users WHERE email IS NULL;\n", "SELECT 1;\n");
        _project.WritePair("000005_no_cascade", "CREATE TABLE t5 (id int);\n", "DROP TABLE t5;\n");
        _project.WritePair("000006_not_null_with_default", "ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';\n", "ALTER TABLE users DROP COLUMN tier;\n");
        _project.WritePair("000007_index_on_new_table", "CREATE TABLE t7 (id int);\nCREATE INDEX idx_t7 ON t7 (id);\n", "DROP TABLE t7;\n");
        _project.WritePair("000008_down_reverses", "CREATE TABLE projects (id int);\n", "DROP TABLE IF EXISTS projects;\n");
        _project.WritePair("000009_acknowledged_drop", "-- migrate:ignore MIG112 -- archived in ticket 42\nDROP TABLE t9_old;\n", "CREATE TABLE t9_old (id int);\n");

        var result = _project.Build();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void IfExists_rule_is_off_by_default_and_on_with_the_property()
    {
        _project.WritePair("000001_t", "CREATE TABLE t (id int);\n", "DROP TABLE IF EXISTS t;\n");
        Assert.Empty(_project.Build().Diagnostics);
        var strict = _project.Build("-p:MigrationRequireIfExists=true");
        var d = strict.Single("MIG117");
        Assert.Equal((File("000001_t.up.sql"), 1, 1), (d.File, d.Line, d.Column));
        Assert.Contains("MigrationRequireIfExists", d.Message);
    }

    [Fact]
    public void Unterminated_string_psql_meta_commands_and_COPY_through_the_client_are_errors_at_their_start()
    {
        _project.WritePair("000001_t", "CREATE TABLE t (id int);\nINSERT INTO t VALUES ('oops);\n", "DROP TABLE t;\n");
        _project.WritePair("000002_include", "\\i other.sql\n", "SELECT 1;\n");
        _project.WritePair("000003_seed", "CREATE TABLE s (id int);\nCOPY s (id) FROM stdin;\n", "DROP TABLE s;\n");
        var result = _project.Build();
        Assert.NotEqual(0, result.ExitCode);
        var unterminated = result.Single("MIG101");
        Assert.Equal((File("000001_t.up.sql"), 2, 23), (unterminated.File, unterminated.Line, unterminated.Column));
        var meta = result.Single("MIG102");
        Assert.Equal((File("000002_include.up.sql"), 1, 1), (meta.File, meta.Line, meta.Column));
        var copy = result.Single("MIG103");
        Assert.Equal((File("000003_seed.up.sql"), 2, 18), (copy.File, copy.Line, copy.Column));
    }
}
