using Migrations.Build.Engine.LocalDatabase;

namespace Migrations.Build.Engine.Tests.LocalDatabase;

public sealed class PostgresBinariesTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Finds_the_server_installed_on_this_machine()
    {
        var binaries = PostgresBinaries.Find();

        Assert.NotNull(binaries);
        Assert.True(File.Exists(binaries.InitDb));
        Assert.True(File.Exists(binaries.PgCtl));
        Assert.True(File.Exists(binaries.Postgres));
        Assert.Matches(@"^\d+(\.\d+)*$", binaries.ReadVersion());
    }

    [Fact]
    public void The_configured_folder_comes_first()
    {
        var installed = PostgresBinaries.Require();

        var (binaries, problem) = PostgresBinaries.Locate(Environment(("MIGRATION_POSTGRES_BIN", installed.Directory), ("PATH", "")));

        Assert.Null(problem);
        Assert.Equal(installed.Directory, binaries!.Directory);
        Assert.Equal("MIGRATION_POSTGRES_BIN", binaries.FoundBy);
    }

    [Fact]
    public void A_configured_folder_without_a_server_is_an_error_not_a_fallback()
    {
        var (binaries, problem) = PostgresBinaries.Locate(Environment(("MIGRATION_POSTGRES_BIN", _temp.Path), ("PATH", "")));

        Assert.Null(binaries);
        Assert.Contains("MIGRATION_POSTGRES_BIN", problem);
        Assert.Contains(_temp.Path, problem);
    }

    [Fact]
    public void Follows_a_PATH_link_to_the_folder_that_also_holds_postgres()
    {
        if (OperatingSystem.IsWindows()) return; // links to executables are a Unix habit (/usr/local/bin/initdb)
        var installed = PostgresBinaries.Require();
        File.CreateSymbolicLink(Path.Combine(_temp.Path, "initdb"), installed.InitDb);
        File.CreateSymbolicLink(Path.Combine(_temp.Path, "pg_ctl"), installed.PgCtl);

        var (binaries, _) = PostgresBinaries.Locate(Environment(("PATH", _temp.Path)));

        Assert.Equal(Path.GetDirectoryName(new FileInfo(installed.InitDb).ResolveLinkTarget(true)?.FullName ?? installed.InitDb), binaries!.Directory);
        Assert.Equal("PATH", binaries.FoundBy);
    }

    [Fact]
    public void Without_a_PATH_entry_finds_the_standard_install_locations()
    {
        if (PostgresBinaries.Find() is not { FoundBy: not "MIGRATION_POSTGRES_BIN" } installed || !IsStandardLocation(installed.Directory)) return;

        var (binaries, _) = PostgresBinaries.Locate(Environment(("PATH", "")));

        Assert.Equal("a standard location", binaries!.FoundBy);
    }

    [Fact]
    public void The_not_found_message_says_how_to_fix_it()
    {
        var message = PostgresBinaries.NotFoundMessage;

        Assert.Contains("apt-get install postgresql", message);
        Assert.Contains("brew install postgresql", message);
        Assert.Contains("MIGRATION_POSTGRES_BIN", message);
        Assert.Contains("MigrationConnectionString", message);
        Assert.Contains("MIGRATION_CONNECTION_STRING", message);
    }

    private static bool IsStandardLocation(string directory) =>
        directory.StartsWith("/usr/lib/postgresql/", StringComparison.Ordinal) || directory.StartsWith("/usr/pgsql-", StringComparison.Ordinal);

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
