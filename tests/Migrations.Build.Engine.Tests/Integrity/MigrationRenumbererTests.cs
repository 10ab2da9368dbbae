using Migrations.Build.Engine.Integrity;

namespace Migrations.Build.Engine.Tests.Integrity;

public class MigrationRenumbererTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Newer_duplicates_move_above_the_highest_version_keeping_the_width()
    {
        _dir.Write("000001_a.up.sql", "SELECT 1;");
        _dir.Write("000001_a.down.sql", "SELECT 1;");
        var older = _dir.Write("000002_older.up.sql", "SELECT 2;");
        _dir.Write("000002_older.down.sql", "SELECT 2;");
        File.SetLastWriteTimeUtc(older, DateTime.UtcNow.AddHours(-1));
        _dir.Write("000002_newer.up.sql", "SELECT 3;");
        _dir.Write("000002_newer.down.sql", "SELECT 3;");
        _dir.Write("000003_c.up.sql", "SELECT 4;");
        _dir.Write("000003_c.down.sql", "SELECT 4;");

        var moves = MigrationRenumberer.Plan(_dir.Path, null);
        var move = Assert.Single(moves);
        Assert.Equal("newer", move.Migration.Name);
        Assert.Equal("000004", move.NewVersionText);
        MigrationRenumberer.Apply(moves);

        var set = MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path));
        Assert.Empty(set.Diagnostics);
        Assert.Equal(["a", "older", "c", "newer"], set.Migrations.Select(m => m.Name));
    }

    [Fact]
    public void Duplicate_message_names_the_newer_file()
    {
        var older = _dir.Write("001_old.sql", "SELECT 1;");
        File.SetLastWriteTimeUtc(older, DateTime.UtcNow.AddHours(-1));
        _dir.Write("001_new.sql", "SELECT 2;");
        var d = Assert.Single(MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path)).Diagnostics);
        Assert.Equal(DiagnosticCodes.DuplicateVersion, d.Code);
        Assert.EndsWith("001_new.sql", d.FilePath);
        Assert.Contains("'001_new.sql' is the newer one", d.Message);
        Assert.Contains("MigrateRenumber", d.Message);
    }
}
