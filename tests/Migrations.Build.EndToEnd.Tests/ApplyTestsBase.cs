namespace Migrations.Build.EndToEnd.Tests;

/// <summary>
/// What the apply tests share: a consumer project pointed at a fresh database. The tests are split over two
/// classes, each its own xunit collection, so that their ~90 msbuild runs go two at a time instead of in a row.
/// </summary>
public abstract class ApplyTestsBase : IDisposable
{
    protected ApplyTestsBase(PackageFixture package, DatabaseFixture database)
    {
        Project = package.NewConsumer();
        Db = database.NewDatabase();
        Project.Variables["MIGRATION_CONNECTION_STRING"] = Db;
    }

    protected ConsumerProject Project { get; }
    protected string Db { get; }

    public void Dispose()
    {
        Project.Dispose();
        GC.SuppressFinalize(this);
    }

    protected void WriteUsersAndProjects()
    {
        Project.WritePair("000001_create_users",
            "BEGIN;\nCREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\nCOMMIT;\n",
            "BEGIN;\nDROP TABLE users;\nCOMMIT;\n");
        Project.WritePair("000002_create_projects",
            "CREATE TABLE projects (id bigint PRIMARY KEY, owner_id bigint REFERENCES users (id));\n",
            "DROP TABLE projects;\n");
    }

    protected CommandResult Succeeds(params string[] args)
    {
        var result = Project.MSBuild(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    protected CommandResult Fails(params string[] args)
    {
        var result = Project.MSBuild(args);
        Assert.True(result.ExitCode != 0, result.ToString());
        return result;
    }

    protected List<long> AppliedVersions() =>
        DatabaseFixture.Rows(Db, "SELECT version FROM schema_migrations ORDER BY version").Select(r => (long)r[0]).ToList();
}
