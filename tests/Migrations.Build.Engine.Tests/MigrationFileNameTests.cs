namespace Migrations.Build.Engine.Tests;

public class MigrationFileNameTests
{
    [Theory]
    [InlineData("000003_add_agents_table.up.sql", 3L, "000003", "add_agents_table", MigrationFileKind.Up)]
    [InlineData("000003_add_agents_table.down.sql", 3L, "000003", "add_agents_table", MigrationFileKind.Down)]
    [InlineData("015_add_api_keys.sql", 15L, "015", "add_api_keys", MigrationFileKind.ForwardOnly)]
    [InlineData("20260211091500_init.up.sql", 20260211091500L, "20260211091500", "init", MigrationFileKind.Up)]
    [InlineData("1_x.sql", 1L, "1", "x", MigrationFileKind.ForwardOnly)]
    [InlineData("9223372036854775807_max.sql", long.MaxValue, "9223372036854775807", "max", MigrationFileKind.ForwardOnly)]
    [InlineData("7_Mixed-Case_name.up.sql", 7L, "7", "Mixed-Case_name", MigrationFileKind.Up)]
    public void Parses_valid_names(string fileName, long version, string versionText, string name, MigrationFileKind kind)
    {
        Assert.True(MigrationFileName.TryParse(fileName, out var parsed, out var problem), problem);
        Assert.Equal(new MigrationFileName(version, versionText, name, kind), parsed);
    }

    [Theory]
    [InlineData("add_users.sql", "expected")]
    [InlineData("001-add_users.sql", "expected")]
    [InlineData("001_.sql", "expected")]
    [InlineData("001_add users.sql", "expected")]
    [InlineData("001_add.users.sql", "expected")]
    [InlineData("001_add_users.UP.sql", "expected")]
    [InlineData("001_add_users.sql.bak", "expected")]
    [InlineData("0_zero.sql", "version 0 is reserved")]
    [InlineData("000_zero.up.sql", "version 0 is reserved")]
    [InlineData("9223372036854775808_overflow.sql", "too large")]
    [InlineData("12345678901234567890_too_wide.sql", "too large")]
    public void Rejects_invalid_names_with_a_reason(string fileName, string reason)
    {
        Assert.False(MigrationFileName.TryParse(fileName, out var parsed, out var problem));
        Assert.Null(parsed);
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void Up_and_down_share_a_migration_key_but_other_widths_do_not()
    {
        MigrationFileName.TryParse("000002_a.up.sql", out var up, out _);
        MigrationFileName.TryParse("000002_a.down.sql", out var down, out _);
        MigrationFileName.TryParse("2_a.up.sql", out var narrow, out _);
        Assert.Equal(up!.MigrationKey, down!.MigrationKey);
        Assert.NotEqual(up.MigrationKey, narrow!.MigrationKey);
        Assert.Equal(up.Version, narrow.Version);
    }
}
