using Migrations.Build.Engine.Database.Fleet;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>The file of databases for MigrateUpAll: what is an entry, and how a bad one is named (never shown).</summary>
public sealed class FleetListTests
{
    [Fact]
    public void Entries_are_connection_strings_or_urls_one_per_line_with_comments_and_blank_lines_skipped()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("dbs.txt", "# tenants\n\nHost=db1;Database=a;Username=deploy\n   # indented comment\n  postgres://deploy:s3cret@db2:5433/b  \n");
        var problems = new List<MigrationDiagnostic>();

        var targets = FleetList.FromFile(path, problems);

        Assert.Empty(problems);
        Assert.Equal(["db1:5432/a as deploy", "db2:5433/b as deploy"], targets.Select(t => t.Connection.Description));
        Assert.Equal(["dbs.txt line 3", "dbs.txt line 5"], targets.Select(t => t.Origin));
        Assert.True(targets[1].Connection.HasPassword);
    }

    [Fact]
    public void A_bad_line_is_named_by_file_and_line_without_its_text()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("dbs.txt", "Host=db1;Database=a\nHost=db1;Password=hunter2;Bogus=1\nDatabase=nohost\n");
        var problems = new List<MigrationDiagnostic>();

        var targets = FleetList.FromFile(path, problems);

        Assert.Single(targets);
        Assert.Equal([2, 3], problems.Select(p => p.Line));
        Assert.All(problems, p => Assert.Equal(DiagnosticCodes.FleetListInvalid, p.Code));
        Assert.All(problems, p => Assert.Equal(path, p.FilePath));
        Assert.All(problems, p => Assert.DoesNotContain("hunter2", p.Message));
        Assert.Contains("no Host", problems[1].Message);
    }

    [Fact]
    public void The_same_database_twice_is_refused_whoever_the_user()
    {
        var problems = new List<MigrationDiagnostic>();
        var listed = FleetList.FromList(["postgres://a@DB1/x", "postgres://b@db1:5432/x", "postgres://a@db1/y"], "MigrationDatabases", problems);

        var distinct = FleetList.Distinct(listed, problems);

        Assert.Equal(2, distinct.Count);
        var problem = Assert.Single(problems);
        Assert.Contains("listed twice (MigrationDatabases entry 1 and MigrationDatabases entry 2)", problem.Message);
    }
}
