namespace Migrations.Build.EndToEnd.Tests;

[Collection(PackageCollection.Name)]
public sealed class IncrementalBuildTests(PackageFixture package) : IDisposable
{
    private const string Skipped = "Skipping target \"MigrateValidate\" because all output files are up-to-date";
    private readonly ConsumerProject _project = package.NewConsumer();

    public void Dispose() => _project.Dispose();

    private CommandResult DetailedBuild()
    {
        var result = _project.Build("-v:d");
        return result;
    }

    [Fact]
    public void Second_build_skips_validation_until_a_migration_is_added_changed_or_deleted()
    {
        _project.WritePair("000001_a");
        _project.WritePair("000002_b");

        var first = DetailedBuild();
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("Validated 2 migration(s)", first.Output);

        var second = DetailedBuild();
        Assert.Equal(0, second.ExitCode);
        Assert.Contains(Skipped, second.Output);
        Assert.DoesNotContain("Validated 2 migration(s)", second.Output);

        // A new file with a problem: validation runs again and reports it.
        var lonely = _project.WriteMigration("000003_c.up.sql");
        var third = DetailedBuild();
        Assert.NotEqual(0, third.ExitCode);
        Assert.Equal(lonely, third.Single("MIG003").File);

        // A failed validation leaves no stamp: the error is reported again, not skipped.
        var again = DetailedBuild();
        Assert.NotEqual(0, again.ExitCode);
        Assert.DoesNotContain(Skipped, again.Output);

        // Deleting the offending file re-runs validation (the input list changed) and the build is clean.
        File.Delete(lonely);
        var fixedBuild = DetailedBuild();
        Assert.Equal(0, fixedBuild.ExitCode);
        Assert.Contains("Validated 2 migration(s)", fixedBuild.Output);
    }

    [Fact]
    public void Changing_a_setting_re_runs_validation()
    {
        _project.WritePair("000001_a");
        _project.WriteMigration("000002_b.up.sql");
        _project.WriteProject("<MigrationRequireDown>false</MigrationRequireDown>");
        Assert.Equal(0, DetailedBuild().ExitCode);
        Assert.Contains(Skipped, DetailedBuild().Output);

        _project.WriteProject("");
        var result = DetailedBuild();
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("MIG003", Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Warnings_are_reported_on_every_build_until_suppressed()
    {
        _project.WriteMigration("001_a.sql");
        var gap = _project.WriteMigration("003_c.sql");
        Assert.Equal(gap, DetailedBuild().Single("MIG007").File);
        Assert.Equal(gap, DetailedBuild().Single("MIG007").File);

        _project.WriteProject("<NoWarn>$(NoWarn);MIG007</NoWarn>");
        Assert.Empty(DetailedBuild().Diagnostics);
        Assert.Contains(Skipped, DetailedBuild().Output);
    }

    [Fact]
    public void Editing_a_migration_re_runs_validation()
    {
        _project.WritePair("000001_a");
        Assert.Equal(0, DetailedBuild().ExitCode);
        var up = Path.Combine(_project.MigrationsDirectory, "000001_a.up.sql");
        File.WriteAllText(up, "");
        File.SetLastWriteTimeUtc(up, DateTime.UtcNow.AddSeconds(2));
        var result = DetailedBuild();
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(up, result.Single("MIG008").File);
    }
}
