using System.Diagnostics;
using Migrations.Build.Engine.Integrity;

namespace Migrations.Build.Engine.Tests.Integrity;

/// <summary>
/// Which migrations have left the machine (on the mainline, or deployed from here), and migrations.sum following
/// every other one, with a real git repository.
/// </summary>
public sealed class ShippedMigrationsTests : IDisposable
{
    private readonly TempDirectory _repo = new();

    public void Dispose() => _repo.Dispose();

    private string Folder => Path.Combine(_repo.Path, "migrations");

    private string Write(string name, string content)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private MigrationSet Load(string? deployRecord = null) => MigrationSetLoader.Load(new MigrationSetOptions(Folder)
    {
        CheckIntegrity = true,
        Shipped = () => ShippedMigrations.Of(Folder, deployRecord),
    });

    private void WriteSum() => MigrationSum.Write(MigrationSetLoader.Load(new MigrationSetOptions(Folder)));

    [Fact]
    public void Outside_git_the_sum_follows_edits_additions_and_removals()
    {
        Write("001_a.sql", "CREATE TABLE a (id int);\n");
        WriteSum();
        Write("001_a.sql", "CREATE TABLE a (id bigint);\n");
        Write("002_b.sql", "CREATE TABLE b (id int);\n");

        var set = Load();
        Assert.Empty(set.Diagnostics);
        Assert.Equal(["001_a.sql (edited)", "002_b.sql (new)"], set.SumFollowed);
        // What was written checks clean even for the strict check: the sum records the files as they are now.
        Assert.Empty(MigrationSum.Check(MigrationSetLoader.Load(new MigrationSetOptions(Folder))));

        File.Delete(Path.Combine(Folder, "002_b.sql"));
        Assert.Equal(["002_b.sql (removed)"], Load().SumFollowed);
        Assert.DoesNotContain("002_b.sql", File.ReadAllText(MigrationSum.PathIn(Folder)));
        Assert.Empty(Load().SumFollowed); // nothing left to follow: the file is not rewritten again
    }

    [Fact]
    public void A_migration_on_the_mainline_is_protected_and_one_on_a_branch_or_uncommitted_is_not()
    {
        Git("init", "-q", "-b", "main");
        var shipped = Write("001_a.sql", "CREATE TABLE a (id int);\n");
        WriteSum();
        Git("add", "-A");
        Git("commit", "-q", "-m", "a");
        Git("checkout", "-q", "-b", "feature");
        var branch = Write("002_b.sql", "CREATE TABLE b (id int);\n");
        WriteSum();
        Git("add", "-A");
        Git("commit", "-q", "-m", "b");

        var of = ShippedMigrations.Of(Folder, null);
        Assert.Equal("refs/heads/main", of.Mainline);
        Assert.True(of.Contains("001_a.sql"));
        Assert.False(of.Contains("002_b.sql"));

        Write("001_a.sql", "CREATE TABLE a (id bigint);\n");
        Write("002_b.sql", "CREATE TABLE b (id bigint);\n");
        var set = Load();
        var error = Assert.Single(set.Diagnostics);
        Assert.Equal((DiagnosticCodes.MigrationChangedSinceRecorded, shipped), (error.Code, error.FilePath));
        Assert.Contains("it is on the mainline (main)", error.Message);
        Assert.Equal(["002_b.sql (edited)"], set.SumFollowed);
        // The shipped file's entry keeps its recorded hash: the error stays until the file is put back.
        Assert.Single(Load().Diagnostics);
        Git("checkout", "--", "migrations/001_a.sql");
        Assert.Empty(Load().Diagnostics);
        Assert.Contains(branch, set.Migrations.Select(m => m.Up!.Path));
    }

    [Fact]
    public void A_deployed_migration_is_protected_outside_git_too()
    {
        Write("001_a.sql", "CREATE TABLE a (id int);\n");
        Write("002_b.sql", "CREATE TABLE b (id int);\n");
        WriteSum();
        var record = Path.Combine(_repo.Path, "obj", "Migrations.Build.deployed");
        ShippedMigrations.RecordDeployed(record, Load().Migrations.Take(1));
        Assert.Equal(["001_a.sql"], File.ReadAllLines(record).Where(l => !l.StartsWith('#')));

        Write("001_a.sql", "CREATE TABLE a (id bigint);\n");
        Write("002_b.sql", "CREATE TABLE b (id bigint);\n");
        var set = Load(record);
        var error = Assert.Single(set.Diagnostics);
        Assert.Equal(DiagnosticCodes.MigrationChangedSinceRecorded, error.Code);
        Assert.Contains("this machine applied it to a configured database", error.Message);
        Assert.Equal(["002_b.sql (edited)"], set.SumFollowed);
    }

    [Fact]
    public void Without_a_shipped_lookup_every_change_is_an_error_as_before()
    {
        Write("001_a.sql", "CREATE TABLE a (id int);\n");
        WriteSum();
        Write("001_a.sql", "CREATE TABLE a (id bigint);\n");
        var set = MigrationSetLoader.Load(new MigrationSetOptions(Folder) { CheckIntegrity = true });
        Assert.Equal(DiagnosticCodes.MigrationChangedSinceRecorded, Assert.Single(set.Diagnostics).Code);
        Assert.Empty(set.SumFollowed);
    }

    private void Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = _repo.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["GIT_AUTHOR_NAME"] = start.Environment["GIT_COMMITTER_NAME"] = "Test";
        start.Environment["GIT_AUTHOR_EMAIL"] = start.Environment["GIT_COMMITTER_EMAIL"] = "test@example.invalid";
        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd() + git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {output}");
    }
}
