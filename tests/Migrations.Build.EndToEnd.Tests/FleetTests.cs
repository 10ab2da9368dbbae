using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace Migrations.Build.EndToEnd.Tests;

/// <summary>MigrateUpAll and MigrateStatusAll: the same migrations on many databases, listed in a file or by a query.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class FleetTests : IDisposable
{
    private readonly ConsumerProject _project;
    private readonly DatabaseFixture _database;

    public FleetTests(PackageFixture package, DatabaseFixture database)
    {
        _project = package.NewConsumer();
        _database = database;
        _project.WritePair("000001_create_users",
            "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n", "DROP TABLE users;\n");
        _project.WritePair("000002_create_projects",
            "CREATE TABLE projects (id bigint PRIMARY KEY, owner_id bigint REFERENCES users (id));\n", "DROP TABLE projects;\n");
    }

    public void Dispose() => _project.Dispose();

    private string ReportPath => Path.Combine(_project.Directory, "obj", "migrations-report.json");

    /// <summary>Host:port/database as user: what the tool prints for a connection string.</summary>
    private static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{b.Host}:{b.Port}/{b.Database} as {b.Username}";
    }

    private static string NameOf(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    private string WriteList(params string[] lines)
    {
        var path = Path.Combine(_project.Directory, "databases.txt");
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>The result line of a database: "[k/n] word  description: detail".</summary>
    private static string ResultLine(CommandResult result, string description)
    {
        var match = Regex.Match(result.Output, @"\[[-\d]+/\d+\] (?<line>.*?" + Regex.Escape(description) + @":.*)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no result line for {description}\n{result}");
        return match.Groups["line"].Value.Trim();
    }

    /// <summary>Up to the summary line, each database's lines (its runner's, then its result line) come as one block.</summary>
    private static void AssertBlocksDoNotInterleave(CommandResult result, IEnumerable<string> descriptions)
    {
        var lines = result.Output.Split('\n');
        var end = Array.FindIndex(lines, l => l.Contains("database(s) in "));
        Assert.True(end > 0, result.ToString());
        foreach (var description in descriptions)
        {
            var mine = Enumerable.Range(0, end).Where(i => lines[i].Contains(description + ":")).ToList();
            Assert.True(mine.Count >= 2, $"{description}: {mine.Count} line(s)\n{result}");
            Assert.True(mine[^1] - mine[0] == mine.Count - 1, $"the lines of {description} are not one block\n{result}");
            Assert.Matches(@"\[\d+/\d+\] ", lines[mine[^1]]);
        }
    }

    private JsonElement[] ReportDatabases(out JsonElement report)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ReportPath));
        report = document.RootElement.Clone();
        return report.GetProperty("databases").EnumerateArray().ToArray();
    }

    private static List<long> Versions(string db) =>
        DatabaseFixture.Rows(db, "SELECT version FROM schema_migrations ORDER BY version").Select(r => (long)r[0]).ToList();

    /// <summary>A database whose owner is a role with a password, and a postgres:// URL that carries that password.</summary>
    private (string Url, string Superuser, string Password) DatabaseWithPasswordRole()
    {
        var db = _database.NewDatabase();
        var role = "fleet_" + Guid.NewGuid().ToString("N")[..8];
        var password = "Pw" + Guid.NewGuid().ToString("N")[..16];
        DatabaseFixture.Execute(_database.Cluster.ConnectionString(), $"CREATE ROLE {role} LOGIN PASSWORD '{password}';\nALTER DATABASE {NameOf(db)} OWNER TO {role};\n");
        return ($"postgres://{role}:{password}@{_database.Cluster.Host}:{_database.Cluster.Port}/{NameOf(db)}", db, password);
    }

    [Fact]
    public void MigrateUpAll_applies_to_every_database_of_the_file_reports_each_and_a_rerun_touches_only_the_failed_one()
    {
        var (url, secretDb, password) = DatabaseWithPasswordRole();
        var ok = Enumerable.Range(0, 3).Select(_ => _database.NewDatabase()).ToList();
        // A table the second migration creates already exists: that migration fails there, the first one stays applied.
        var broken = _database.NewDatabase();
        DatabaseFixture.Execute(broken, "CREATE TABLE projects (id int);\n");
        var list = WriteList("# tenants", ok[0], "", "  " + ok[1], url, "# the broken one:", broken, ok[2]);
        var urlDescription = $"{_database.Cluster.Host}:{_database.Cluster.Port}/{NameOf(secretDb)} as {new Uri(url).UserInfo.Split(':')[0]}";

        var run = _project.MSBuild("-t:MigrateUpAll", $"-p:MigrationDatabasesFile={list}", "-p:MigrationParallelism=2", "-p:MigrationOnFailure=continue");
        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("5 database(s) from databases.txt, 2 at a time", run.Output);
        foreach (var db in ok) Assert.StartsWith("applied     " + Describe(db) + ": applied 2 migration(s), now at version 2", ResultLine(run, Describe(db)));
        Assert.StartsWith("applied     " + urlDescription + ": applied 2 migration(s)", ResultLine(run, urlDescription));
        Assert.StartsWith("FAILED      " + Describe(broken) + ": failed with MIG", ResultLine(run, Describe(broken)));
        // The database's own error names it; the summary error lists it.
        Assert.Contains(run.Diagnostics, d => d.IsError && d.Code != "MIG230" && d.Message.StartsWith(Describe(broken) + ":") && d.Message.Contains("already exists"));
        Assert.Contains(Describe(broken), run.Single("MIG230").Message);
        Assert.Contains("1 of 5 database(s) failed", run.Single("MIG230").Message);
        Assert.Contains("4 applied, 0 up to date, 1 failed, 0 not started", run.Output);
        AssertBlocksDoNotInterleave(run, [.. ok.Select(Describe), urlDescription, Describe(broken)]);

        // Every database in its own state.
        foreach (var db in ok.Append(secretDb)) Assert.Equal([1L, 2L], Versions(db));
        Assert.Equal([1L], Versions(broken));

        // The report: every database in the order listed, with where it was listed.
        var entries = ReportDatabases(out var report);
        Assert.Equal("up", report.GetProperty("operation").GetString());
        Assert.Equal(2, report.GetProperty("parallelism").GetInt32());
        Assert.Equal("continue", report.GetProperty("onFailure").GetString());
        Assert.Equal(5, report.GetProperty("summary").GetProperty("total").GetInt32());
        Assert.Equal(1, report.GetProperty("summary").GetProperty("failed").GetInt32());
        Assert.Equal([Describe(ok[0]), Describe(ok[1]), urlDescription, Describe(broken), Describe(ok[2])], entries.Select(e => e.GetProperty("database").GetString()));
        Assert.Equal(["applied", "applied", "applied", "failed", "applied"], entries.Select(e => e.GetProperty("result").GetString()));
        Assert.Equal("databases.txt line 2", entries[0].GetProperty("origin").GetString());
        Assert.Equal("databases.txt line 7", entries[3].GetProperty("origin").GetString());
        Assert.Equal(0, entries[3].GetProperty("versionBefore").GetInt64());
        Assert.Contains("already exists", entries[3].GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Equal(2, entries[0].GetProperty("applied").GetInt32());

        // The password is in the file, never in what the tool prints or writes.
        Assert.DoesNotContain(password, run.Output);
        Assert.DoesNotContain(password, File.ReadAllText(ReportPath));

        // Fixed, the rerun applies to the broken database only: the others are checked and reported up to date.
        var appliedAt = DatabaseFixture.Scalar<DateTime>(ok[0], "SELECT max(applied_at) FROM schema_migrations");
        DatabaseFixture.Execute(broken, "DROP TABLE projects;\n");
        var rerun = _project.MSBuild("-t:MigrateUpAll", $"-p:MigrationDatabasesFile={list}", "-p:MigrationParallelism=2");
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        foreach (var db in ok) Assert.StartsWith("up to date  " + Describe(db) + ": up to date at version 2", ResultLine(rerun, Describe(db)));
        Assert.StartsWith("applied     " + Describe(broken) + ": applied 1 migration(s), now at version 2", ResultLine(rerun, Describe(broken)));
        Assert.Contains("1 applied, 4 up to date, 0 failed, 0 not started", rerun.Output);
        Assert.Equal([1L, 2L], Versions(broken));
        Assert.Equal(appliedAt, DatabaseFixture.Scalar<DateTime>(ok[0], "SELECT max(applied_at) FROM schema_migrations"));
        Assert.Empty(rerun.Diagnostics);
        Assert.DoesNotContain(password, rerun.Output);
    }

    [Fact]
    public void MigrationOnFailure_stop_starts_no_database_after_a_failure_and_leaves_the_rest_untouched()
    {
        var first = _database.NewDatabase();
        var broken = _database.NewDatabase();
        DatabaseFixture.Execute(broken, "CREATE TABLE projects (id int);\n");
        var later = Enumerable.Range(0, 2).Select(_ => _database.NewDatabase()).ToList();
        var list = WriteList([first, broken, .. later]);

        // One at a time, so "after" is well defined.
        var run = _project.MSBuild("-t:MigrateUpAll", $"-p:MigrationDatabasesFile={list}", "-p:MigrationParallelism=1");
        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.StartsWith("applied", ResultLine(run, Describe(first)));
        Assert.StartsWith("FAILED", ResultLine(run, Describe(broken)));
        foreach (var db in later)
        {
            Assert.StartsWith("not started " + Describe(db) + ": not started", ResultLine(run, Describe(db)));
            Assert.False(DatabaseFixture.TableExists(db, "schema_migrations"));
        }
        Assert.Contains("2 not started (MigrationOnFailure=stop)", run.Single("MIG230").Message);
        var entries = ReportDatabases(out var report);
        Assert.Equal("stop", report.GetProperty("onFailure").GetString());
        Assert.Equal(["applied", "failed", "not-started", "not-started"], entries.Select(e => e.GetProperty("result").GetString()));
    }

    [Fact]
    public void The_databases_can_come_from_a_query_on_the_catalog_and_MigrateStatusAll_reports_what_is_pending()
    {
        var catalog = _database.NewDatabase();
        var tenants = Enumerable.Range(0, 3).Select(_ => _database.NewDatabase()).ToList();
        DatabaseFixture.Execute(catalog, "CREATE TABLE tenants (id int PRIMARY KEY, db text NOT NULL, active bool NOT NULL);\n");
        for (var i = 0; i < tenants.Count; i++)
        {
            DatabaseFixture.Execute(catalog, $"INSERT INTO tenants VALUES ({i}, '{NameOf(tenants[i])}', true);\n");
        }
        DatabaseFixture.Execute(catalog, $"INSERT INTO tenants VALUES (9, 'retired_tenant', false);\n");
        var b = new NpgsqlConnectionStringBuilder(catalog);
        var query = $"SELECT format('Host=%s;Port=%s;Username=%s;Passfile=%s;Database=%s', '{b.Host}', {b.Port}, '{b.Username}', '{b.Passfile}', db) FROM tenants WHERE active ORDER BY id";
        File.WriteAllText(Path.Combine(_project.Directory, "Directory.Build.props"),
            $"<Project><PropertyGroup><MigrationDatabasesQuery>{System.Security.SecurityElement.Escape(query)}</MigrationDatabasesQuery></PropertyGroup></Project>");
        _project.Variables["MIGRATION_CONNECTION_STRING"] = catalog;
        DatabaseFixture.Execute(tenants[0], "CREATE TABLE projects (id int);\n");

        var status = _project.MSBuild("-t:MigrateStatusAll");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("3 database(s) from MigrationDatabasesQuery", status.Output);
        foreach (var db in tenants) Assert.StartsWith("pending     " + Describe(db) + ": 2 pending migration(s), at version 0", ResultLine(status, Describe(db)));
        Assert.Equal("MigrationDatabasesQuery row 1", ReportDatabases(out _)[0].GetProperty("origin").GetString());
        // Status changes nothing, not even a history table.
        Assert.All(tenants, db => Assert.False(DatabaseFixture.TableExists(db, "schema_migrations")));

        var gate = _project.MSBuild("-t:MigrateStatusAll", "-p:MigrationFailOnPending=true");
        Assert.True(gate.ExitCode != 0, gate.ToString());
        Assert.Equal(3, gate.Diagnostics.Count(d => d.Code == "MIG212"));

        var up = _project.MSBuild("-t:MigrateUpAll", "-p:MigrationOnFailure=continue");
        Assert.True(up.ExitCode != 0, up.ToString());
        Assert.StartsWith("FAILED", ResultLine(up, Describe(tenants[0])));
        Assert.All(tenants.Skip(1), db => Assert.Equal([1L, 2L], Versions(db)));

        var after = _project.MSBuild("-t:MigrateStatusAll");
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.StartsWith("pending     " + Describe(tenants[0]) + ": 1 pending migration(s), at version 1", ResultLine(after, Describe(tenants[0])));
        Assert.StartsWith("up to date  " + Describe(tenants[1]) + ": up to date at version 2", ResultLine(after, Describe(tenants[1])));
        Assert.Contains("2 up to date, 1 with pending migrations, 0 failed", after.Output);
    }

    [Fact]
    public void A_line_that_is_no_connection_string_is_named_by_its_line_and_nothing_runs()
    {
        var db = _database.NewDatabase();
        var list = WriteList("# one good, one bad", db, "Host=127.0.0.1;Password=hunter2;Bogus=1");

        var run = _project.MSBuild("-t:MigrateUpAll", $"-p:MigrationDatabasesFile={list}");
        Assert.True(run.ExitCode != 0, run.ToString());
        var problem = run.Single("MIG231");
        Assert.Equal(list, problem.File);
        Assert.Equal(3, problem.Line);
        Assert.DoesNotContain("hunter2", run.Output);
        Assert.False(DatabaseFixture.TableExists(db, "schema_migrations"));
    }

    [Fact]
    public void MigrationDatabases_takes_urls_and_an_empty_list_is_a_warning()
    {
        var dbs = Enumerable.Range(0, 2).Select(_ => _database.NewDatabase()).ToList();
        // URLs without a password: libpq's PGPASSFILE supplies it, as it would in a deploy job.
        _project.Variables["PGPASSFILE"] = _database.Cluster.PasswordFile!;
        var urls = string.Join(" ", dbs.Select(db => $"postgres://postgres@{_database.Cluster.Host}:{_database.Cluster.Port}/{NameOf(db)}"));

        var run = _project.MSBuild("-t:MigrateUpAll", $"-p:MigrationDatabases={urls}");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("2 database(s) from MigrationDatabases", run.Output);
        Assert.All(dbs, db => Assert.Equal([1L, 2L], Versions(db)));
        Assert.DoesNotContain(run.Diagnostics, d => d.Code == "MIG215");

        var empty = WriteList("# no tenants yet", "");
        var none = _project.MSBuild("-t:MigrateUpAll", $"-p:MigrationDatabasesFile={empty}");
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Contains("ran on none", none.Single("MIG232").Message);
    }
}
