using Migrations.Build.Engine.Integrity;

namespace Migrations.Build.Engine.Tests.Integrity;

public class MigrationSumTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private MigrationSet Load() => MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path) { CheckIntegrity = true });

    private IReadOnlyList<MigrationDiagnostic> Check() => MigrationSum.Check(MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path)));

    [Fact]
    public void Missing_sum_is_a_warning_only_when_there_are_migrations()
    {
        Assert.Empty(Check());
        _dir.Write("001_a.sql", "SELECT 1;");
        Assert.Equal(DiagnosticCodes.NoIntegrityFile, Assert.Single(Check()).Code);
    }

    [Fact]
    public void Written_sum_checks_clean_and_is_stable()
    {
        _dir.Write("001_a.up.sql", "SELECT 1;");
        _dir.Write("001_a.down.sql", "SELECT 2;");
        var set = MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path));
        Assert.True(MigrationSum.Write(set));
        Assert.False(MigrationSum.Write(set));
        Assert.Empty(Load().Diagnostics);
        var lines = File.ReadAllLines(MigrationSum.PathIn(_dir.Path));
        Assert.StartsWith("#", lines[0]);
        Assert.StartsWith("set ", lines[1]);
        Assert.Equal(["001_a.up.sql", "001_a.down.sql"], lines.Skip(2).Select(l => l.Split(' ')[0]));
    }

    [Fact]
    public void Edited_unrecorded_and_vanished_files_are_errors_where_they_are()
    {
        var edited = _dir.Write("001_a.sql", "SELECT 1;");
        var removed = _dir.Write("002_b.sql", "SELECT 2;");
        MigrationSum.Write(MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path)));
        File.WriteAllText(edited, "SELECT 10;");
        File.Delete(removed);
        var added = _dir.Write("003_c.sql", "SELECT 3;");

        var diagnostics = Check();
        Assert.Equal(edited, Assert.Single(diagnostics, d => d.Code == DiagnosticCodes.MigrationChangedSinceRecorded).FilePath);
        Assert.Equal(added, Assert.Single(diagnostics, d => d.Code == DiagnosticCodes.MigrationNotInIntegrityFile).FilePath);
        var vanished = Assert.Single(diagnostics, d => d.Code == DiagnosticCodes.RecordedMigrationMissing);
        Assert.Equal((MigrationSum.PathIn(_dir.Path), 4), (vanished.FilePath, vanished.Line));
        Assert.All(diagnostics, d => Assert.True(d.IsError));
    }

    [Fact]
    public void Crlf_checkout_of_the_same_migration_is_not_an_edit()
    {
        var path = _dir.Write("001_a.sql", "SELECT 1;\nSELECT 2;\n");
        MigrationSum.Write(MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path)));
        File.WriteAllText(path, "SELECT 1;\r\nSELECT 2;\r\n");
        Assert.Empty(Check());
    }

    [Fact]
    public void Merge_conflict_markers_and_hand_edits_are_reported()
    {
        _dir.Write("001_a.sql", "SELECT 1;");
        MigrationSum.Write(MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path)));
        var sum = MigrationSum.PathIn(_dir.Path);
        var original = File.ReadAllText(sum);

        File.WriteAllText(sum, original + "<<<<<<< HEAD\n002_b.sql abc\n=======\n002_c.sql def\n>>>>>>> branch\n");
        var conflict = Assert.Single(Check());
        Assert.Equal((DiagnosticCodes.IntegrityFileConflict, 4), (conflict.Code, conflict.Line));

        File.WriteAllText(sum, original.Replace("set ", "set 0"));
        Assert.Equal(DiagnosticCodes.IntegrityFileConflict, Assert.Single(Check()).Code);
    }
}
