using System.Text;

namespace Migrations.Build.Engine.Tests;

public class MigrationSetLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private MigrationSet Load(MigrationLayout? layout = null, bool requireDown = true) =>
        MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path) { Layout = layout, RequireDown = requireDown });

    private void Pair(string baseName, string up = "SELECT 1;", string down = "SELECT 1;")
    {
        _dir.Write(baseName + ".up.sql", up);
        _dir.Write(baseName + ".down.sql", down);
    }

    private static MigrationDiagnostic Single(MigrationSet set, string code) => Assert.Single(set.Diagnostics, d => d.Code == code);

    [Fact]
    public void A_clean_paired_folder_has_no_diagnostics_and_is_ordered_by_version()
    {
        Pair("000002_b");
        Pair("000001_a");
        Pair("000010_c");
        _dir.Write("README.md", "not a migration");
        var set = Load();
        Assert.Contains(set.Diagnostics, d => d.Code == DiagnosticCodes.VersionGap);
        Assert.DoesNotContain(set.Diagnostics, d => d.Code != DiagnosticCodes.VersionGap);
        Assert.Equal(MigrationLayout.Paired, set.Layout);
        Assert.Equal([1L, 2L, 10L], set.Migrations.Select(m => m.Version));
        Assert.All(set.Migrations, m => Assert.NotNull(m.Down));
    }

    [Fact]
    public void A_clean_forward_only_folder_is_detected()
    {
        _dir.Write("001_init.sql", "CREATE TABLE a (id int);");
        _dir.Write("002_more.sql", "CREATE TABLE b (id int);");
        var set = Load();
        Assert.Empty(set.Diagnostics);
        Assert.Equal(MigrationLayout.ForwardOnly, set.Layout);
        Assert.All(set.Migrations, m => Assert.Null(m.Down));
    }

    [Fact]
    public void Missing_default_folder_is_nothing_to_do_but_missing_explicit_folder_is_MIG011()
    {
        var missing = Path.Combine(_dir.Path, "nope");
        Assert.Empty(MigrationSetLoader.Load(new MigrationSetOptions(missing)).Diagnostics);
        var d = Assert.Single(MigrationSetLoader.Load(new MigrationSetOptions(missing) { DirectoryIsExplicit = true }).Diagnostics);
        Assert.Equal(DiagnosticCodes.DirectoryNotFound, d.Code);
        Assert.True(d.IsError);
        Assert.Contains(missing, d.Message);
    }

    [Fact]
    public void Unparsable_name_is_MIG001_on_that_file()
    {
        Pair("000001_a");
        var bad = _dir.Write("add_users.sql", "SELECT 1;");
        var d = Single(Load(), DiagnosticCodes.InvalidFileName);
        Assert.Equal(bad, d.FilePath);
        Assert.Equal((1, 1), (d.Line, d.Column));
        Assert.True(d.IsError);
    }

    [Fact]
    public void Same_version_with_different_width_is_MIG002_naming_both_files()
    {
        Pair("000002_a");
        Pair("2_b");
        Pair("000001_z");
        var set = Load();
        var d = Single(set, DiagnosticCodes.DuplicateVersion);
        Assert.True(d.IsError);
        Assert.EndsWith("2_b.up.sql", d.FilePath);
        Assert.Contains("'2_b.up.sql'", d.Message);
        Assert.Contains("'000002_a.up.sql'", d.Message);
        Assert.Equal(2, set.Migrations.Count);
    }

    [Fact]
    public void Same_version_same_width_different_names_is_MIG002()
    {
        _dir.Write("003_a.sql", "SELECT 1;");
        _dir.Write("003_b.sql", "SELECT 1;");
        var d = Single(Load(), DiagnosticCodes.DuplicateVersion);
        Assert.EndsWith("003_b.sql", d.FilePath);
    }

    [Fact]
    public void Up_without_down_is_MIG003_unless_RequireDown_is_off()
    {
        Pair("000001_a");
        var up = _dir.Write("000002_b.up.sql", "SELECT 1;");
        var d = Single(Load(), DiagnosticCodes.MissingDownScript);
        Assert.Equal(up, d.FilePath);
        Assert.True(d.IsError);
        Assert.DoesNotContain(Load(requireDown: false).Diagnostics, x => x.Code == DiagnosticCodes.MissingDownScript);
    }

    [Fact]
    public void Down_without_up_is_MIG004_even_when_RequireDown_is_off()
    {
        Pair("000001_a");
        var down = _dir.Write("000002_b.down.sql", "SELECT 1;");
        var d = Single(Load(requireDown: false), DiagnosticCodes.MissingUpScript);
        Assert.Equal(down, d.FilePath);
    }

    [Fact]
    public void Mixed_layouts_are_MIG005_on_the_minority_files()
    {
        Pair("000001_a");
        Pair("000002_b");
        var stray = _dir.Write("000003_c.sql", "SELECT 1;");
        var set = Load();
        var d = Single(set, DiagnosticCodes.MixedLayouts);
        Assert.Equal(stray, d.FilePath);
        Assert.True(d.IsError);
        Assert.Equal(MigrationLayout.Paired, set.Layout);
    }

    [Fact]
    public void A_pinned_layout_flags_every_file_of_the_other_layout()
    {
        Pair("000001_a");
        var set = Load(MigrationLayout.ForwardOnly);
        Assert.Equal(2, set.Diagnostics.Count(d => d.Code == DiagnosticCodes.MixedLayouts));
        Assert.Contains("MigrationLayout is 'forward-only'", set.Diagnostics[0].Message);
    }

    [Fact]
    public void Inconsistent_padding_is_a_MIG006_warning()
    {
        _dir.Write("001_a.sql", "SELECT 1;");
        _dir.Write("002_b.sql", "SELECT 1;");
        var narrow = _dir.Write("3_c.sql", "SELECT 1;");
        var d = Single(Load(), DiagnosticCodes.InconsistentPadding);
        Assert.Equal(narrow, d.FilePath);
        Assert.False(d.IsError);
        Assert.Contains("'003_c'", d.Message);
    }

    [Theory]
    [InlineData(new[] { "01_a", "02_b", "003_c" }, "003_c", "'03_c'")]  // the most common padded width wins
    [InlineData(new[] { "01_a", "002_b" }, "01_a", "'001_a'")]        // on a tie, the wider one
    public void The_padding_expected_is_the_most_common_padded_width(string[] names, string flagged, string suggested)
    {
        foreach (var name in names) _dir.Write($"{name}.sql", "SELECT 1;");
        var d = Single(Load(), DiagnosticCodes.InconsistentPadding);
        Assert.EndsWith($"{flagged}.sql", d.FilePath);
        Assert.Contains(suggested, d.Message);
    }

    [Fact]
    public void Unpadded_sequences_and_outgrown_padding_are_fine()
    {
        for (var i = 1; i <= 11; i++) _dir.Write($"{i}_m.sql", "SELECT 1;");
        Assert.Empty(Load().Diagnostics);

        using var padded = new TempDirectory();
        for (var i = 998; i <= 1001; i++) padded.Write($"{i:000}_m.sql", "SELECT 1;");
        padded.Write("001_first.sql", "SELECT 1;");
        var set = MigrationSetLoader.Load(new MigrationSetOptions(padded.Path));
        Assert.DoesNotContain(set.Diagnostics, d => d.Code == DiagnosticCodes.InconsistentPadding);
    }

    [Fact]
    public void Gaps_in_a_sequence_are_a_MIG007_warning_on_the_file_after_the_gap()
    {
        _dir.Write("001_a.sql", "SELECT 1;");
        _dir.Write("002_b.sql", "SELECT 1;");
        var after = _dir.Write("005_c.sql", "SELECT 1;");
        var d = Single(Load(), DiagnosticCodes.VersionGap);
        Assert.Equal(after, d.FilePath);
        Assert.False(d.IsError);
        Assert.Contains("3 to 4 are missing", d.Message);
    }

    [Fact]
    public void Timestamp_versions_have_no_gap_or_padding_warnings()
    {
        Pair("20260101120000_a");
        Pair("20260211091500_b");
        Pair("20261125083000_c");
        var set = Load();
        Assert.Empty(set.Diagnostics);
        Assert.Equal(VersionStyle.Timestamp, set.VersionStyle);
    }

    [Fact]
    public void Empty_up_is_a_MIG008_error_and_empty_down_a_MIG009_warning()
    {
        Pair("000001_a", up: " \r\n\t ", down: "");
        var set = Load();
        var up = Single(set, DiagnosticCodes.EmptyUpScript);
        Assert.True(up.IsError);
        Assert.EndsWith(".up.sql", up.FilePath);
        var down = Single(set, DiagnosticCodes.EmptyDownScript);
        Assert.False(down.IsError);
        Assert.EndsWith(".down.sql", down.FilePath);
    }

    [Fact]
    public void Empty_forward_only_script_is_MIG008()
    {
        _dir.Write("001_a.sql", "");
        Assert.True(Single(Load(), DiagnosticCodes.EmptyUpScript).IsError);
    }

    [Fact]
    public void Invalid_utf8_is_MIG010_at_the_first_bad_byte()
    {
        var bytes = Encoding.UTF8.GetBytes("-- ok\nSELECT 'caf").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("';\n")).ToArray();
        var path = _dir.WriteBytes("001_a.sql", bytes);
        var d = Single(Load(), DiagnosticCodes.InvalidUtf8);
        Assert.Equal(path, d.FilePath);
        Assert.Equal((2, 12), (d.Line, d.Column));
        Assert.True(d.IsError);
    }

    [Fact]
    public void Bom_and_crlf_are_fine_and_the_bom_is_not_part_of_the_text()
    {
        var bytes = Encoding.UTF8.Preamble.ToArray().Concat(Encoding.UTF8.GetBytes("SELECT 'é';\r\nSELECT 2;\r\n")).ToArray();
        _dir.WriteBytes("001_a.sql", bytes);
        var set = Load();
        Assert.Empty(set.Diagnostics);
        Assert.StartsWith("SELECT", set.Migrations[0].Up!.Text);
    }

    [Fact]
    public void Checksum_ignores_bom_and_crlf_but_not_content()
    {
        _dir.Write("001_a.sql", "SELECT 1;\nSELECT 2;\n");
        _dir.WriteBytes("002_b.sql", [0xEF, 0xBB, 0xBF, .. "SELECT 1;\r\nSELECT 2;\r\n"u8]);
        _dir.Write("003_c.sql", "SELECT 1;\nSELECT 3;\n");
        var sums = Load().Migrations.Select(m => m.Up!.Checksum).ToList();
        Assert.Equal(sums[0], sums[1]);
        Assert.NotEqual(sums[0], sums[2]);
    }

    [Fact]
    public void Checksum_is_the_sha256_of_the_text()
    {
        _dir.Write("001_a.sql", "SELECT 1;");
        var checksum = Load().Migrations[0].Up!.Checksum;
        Assert.Equal(64, checksum.Length);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("SELECT 1;"u8)).ToLowerInvariant(), checksum);
    }
}
