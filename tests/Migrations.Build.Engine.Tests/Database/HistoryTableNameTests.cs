using Migrations.Build.Engine.Database;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>Names derived from the history table's, within PostgreSQL's 63-byte limit.</summary>
public sealed class HistoryTableNameTests
{
    [Fact]
    public void The_golang_migrate_backup_keeps_the_long_suffix_when_it_fits()
    {
        Assert.Equal("schema_migrations_golang_migrate_backup", new HistoryTable("public", "schema_migrations").GolangMigrateBackup);
    }

    [Theory]
    [InlineData(42)]
    [InlineData(53)]
    [InlineData(63)]
    public void The_golang_migrate_backup_of_a_long_name_is_shortened_by_us_not_cut_by_PostgreSQL(int length)
    {
        var table = new string('h', length);
        var backup = new HistoryTable("public", table).GolangMigrateBackup;
        Assert.True(backup.Length <= 63, backup);
        Assert.EndsWith("_gm_backup", backup);
        Assert.NotEqual(table, backup);
    }
}
