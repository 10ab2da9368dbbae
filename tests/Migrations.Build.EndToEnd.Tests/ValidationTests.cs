namespace Migrations.Build.EndToEnd.Tests;

/// <summary>Every folder check, through dotnet build of a consumer project that references the packed package.</summary>
[Collection(ValidationCollection.Name)]
public sealed class ValidationTests(PackageFixture package) : IDisposable
{
    private readonly ConsumerProject _project = package.NewConsumer();

    public void Dispose() => _project.Dispose();

    private static void AssertAt(BuildDiagnostic diagnostic, string path, int line, int column, bool isError)
    {
        Assert.Equal(path, diagnostic.File);
        Assert.Equal((line, column), (diagnostic.Line, diagnostic.Column));
        Assert.Equal(isError, diagnostic.IsError);
    }

    private CommandResult BuildFails()
    {
        var result = _project.Build();
        Assert.True(result.ExitCode != 0, result.ToString());
        return result;
    }

    private CommandResult BuildSucceeds(params string[] args)
    {
        var result = _project.Build(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    [Fact]
    public void Clean_paired_folder_builds_without_diagnostics()
    {
        _project.WritePair("000001_create_users", "CREATE TABLE users (id int);\n", "DROP TABLE users;\n");
        _project.WritePair("000002_add_email", "ALTER TABLE users ADD COLUMN email text;\n", "ALTER TABLE users DROP COLUMN email;\n");
        var result = BuildSucceeds();
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void No_migrations_folder_is_nothing_to_do()
    {
        var result = BuildSucceeds();
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void MIG001_unparsable_file_name()
    {
        _project.WritePair("000001_a");
        var bad = _project.WriteMigration("add users.sql");
        AssertAt(BuildFails().Single("MIG001"), bad, 1, 1, isError: true);
    }

    [Fact]
    public void MIG002_same_version_different_width_names_both_files()
    {
        _project.WritePair("000001_a");
        _project.WritePair("000002_a");
        _project.WritePair("2_b");
        var d = BuildFails().Single("MIG002");
        AssertAt(d, Path.Combine(_project.MigrationsDirectory, "2_b.up.sql"), 1, 1, isError: true);
        Assert.Contains("000002_a.up.sql", d.Message);
        Assert.Contains("2_b.up.sql", d.Message);
    }

    [Fact]
    public void MIG003_up_without_down_and_MigrationRequireDown_false_turns_it_off()
    {
        _project.WritePair("000001_a");
        var up = _project.WriteMigration("000002_b.up.sql");
        AssertAt(BuildFails().Single("MIG003"), up, 1, 1, isError: true);

        _project.WriteProject("<MigrationRequireDown>false</MigrationRequireDown>");
        Assert.Empty(BuildSucceeds().Diagnostics);
    }

    [Fact]
    public void MIG004_down_without_up()
    {
        _project.WritePair("000001_a");
        var down = _project.WriteMigration("000002_b.down.sql");
        AssertAt(BuildFails().Single("MIG004"), down, 1, 1, isError: true);
    }

    [Fact]
    public void MIG005_mixed_layouts()
    {
        _project.WritePair("000001_a");
        _project.WritePair("000002_b");
        var stray = _project.WriteMigration("000003_c.sql");
        AssertAt(BuildFails().Single("MIG005"), stray, 1, 1, isError: true);
    }

    [Fact]
    public void MIG006_inconsistent_padding_is_a_warning()
    {
        _project.WriteMigration("001_a.sql");
        _project.WriteMigration("002_b.sql");
        var narrow = _project.WriteMigration("3_c.sql");
        AssertAt(BuildSucceeds().Single("MIG006"), narrow, 1, 1, isError: false);
    }

    [Fact]
    public void MIG007_gap_is_a_warning_but_not_for_timestamps()
    {
        _project.WriteMigration("001_a.sql");
        var after = _project.WriteMigration("004_b.sql");
        AssertAt(BuildSucceeds().Single("MIG007"), after, 1, 1, isError: false);

        File.Delete(after);
        File.Delete(Path.Combine(_project.MigrationsDirectory, "001_a.sql"));
        _project.WriteMigration("20260101120000_a.sql");
        _project.WriteMigration("20260211091500_b.sql");
        Assert.Empty(BuildSucceeds().Diagnostics);
    }

    [Fact]
    public void MIG008_empty_up_is_an_error_and_MIG009_empty_down_a_warning()
    {
        _project.WritePair("000001_a", up: "  \n\t\n", down: "");
        var result = BuildFails();
        AssertAt(result.Single("MIG008"), Path.Combine(_project.MigrationsDirectory, "000001_a.up.sql"), 1, 1, isError: true);
        AssertAt(result.Single("MIG009"), Path.Combine(_project.MigrationsDirectory, "000001_a.down.sql"), 1, 1, isError: false);
    }

    [Fact]
    public void MIG010_invalid_utf8_points_at_the_bad_byte_while_bom_and_crlf_are_fine()
    {
        var path = Path.Combine(_project.MigrationsDirectory, "001_a.sql");
        Directory.CreateDirectory(_project.MigrationsDirectory);
        File.WriteAllBytes(path, [.. "SELECT 1;\r\nSELECT '"u8, 0xFF, .. "';\r\n"u8]);
        AssertAt(BuildFails().Single("MIG010"), path, 2, 9, isError: true);

        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "SELECT 'é';\r\nSELECT 2;\r\n"u8]);
        Assert.Empty(BuildSucceeds().Diagnostics);
    }

    [Fact]
    public void MIG011_explicit_folder_that_does_not_exist()
    {
        _project.WriteProject("<MigrationsDirectory>db/migrations</MigrationsDirectory>");
        var d = BuildFails().Single("MIG011");
        Assert.True(d.IsError);
        Assert.Contains(Path.Combine(_project.Directory, "db", "migrations"), d.Message);
    }

    [Fact]
    public void MIG012_invalid_layout_setting()
    {
        _project.WritePair("000001_a");
        _project.WriteProject("<MigrationLayout>sideways</MigrationLayout>");
        Assert.Contains("sideways", BuildFails().Single("MIG012").Message);
    }

    [Fact]
    public void A_diagnostic_about_no_file_points_at_the_project_not_the_package_targets()
    {
        _project.WritePair("000001_a");
        var result = _project.Build("-p:MigrationLayout=sideways");
        Assert.True(result.ExitCode != 0, result.ToString());
        var d = result.Single("MIG012");
        Assert.Equal((_project.ProjectPath, 0, 0), (d.File, d.Line, d.Column));
        Assert.DoesNotContain("Migrations.Build.targets", result.Output);
    }

    [Fact]
    public void Every_diagnostic_carries_the_help_link_to_its_docs_entry()
    {
        // The console logger does not print help links; the terminal logger (forced on, as output is redirected)
        // renders the code as an OSC 8 hyperlink to it: ESC ] 8 ; ; LINK ESC \ CODE ESC ] 8 ; ; ESC \.
        _project.WritePair("000001_a");
        _project.WriteMigration("add users.sql");
        _project.WriteMigration("3_c.up.sql");
        var result = _project.Build("-tl:on");
        Assert.True(result.ExitCode != 0, result.ToString());
        foreach (var code in new[] { "MIG001", "MIG003" })
        {
            Assert.Contains($"\u001b]8;;{Engine.DiagnosticHelp.LinkFor(code)}\u001b\\{code}\u001b]8;;\u001b\\", result.Output);
        }
        Assert.Equal("https://github.com/migrations-build/migrations-build/blob/main/docs/diagnostics.md#mig001", Engine.DiagnosticHelp.LinkFor("MIG001"));
    }

    [Fact]
    public void Pinned_forward_only_layout_flags_paired_files()
    {
        _project.WritePair("000001_a");
        _project.WriteProject("<MigrationLayout>forward-only</MigrationLayout>");
        Assert.Equal(2, BuildFails().Diagnostics.Count(d => d.Code == "MIG005"));
    }

    [Fact]
    public void NoWarn_WarningsAsErrors_and_warnaserror_apply_to_the_codes()
    {
        _project.WriteMigration("001_a.sql");
        _project.WriteMigration("004_b.sql");

        _project.WriteProject("<NoWarn>$(NoWarn);MIG007</NoWarn>");
        Assert.Empty(BuildSucceeds().Diagnostics);

        _project.WriteProject("<WarningsAsErrors>$(WarningsAsErrors);MIG007</WarningsAsErrors>");
        Assert.True(BuildFails().Single("MIG007").IsError);

        _project.WriteProject("");
        var strict = _project.Build("-warnaserror");
        Assert.NotEqual(0, strict.ExitCode);
        Assert.True(strict.Single("MIG007").IsError);
    }

    [Fact]
    public void Migrations_folder_outside_the_project_is_validated_and_listed_in_the_project()
    {
        var shared = Path.Combine(_project.Directory, "..", Path.GetFileName(_project.Directory) + "-db");
        _project.WriteMigration("000001_a.up.sql", directory: shared);
        var lonely = _project.WriteMigration("000002_b.up.sql", directory: shared);
        _project.WriteMigration("000001_a.down.sql", directory: shared);
        _project.WriteProject($"<MigrationsDirectory>{shared}</MigrationsDirectory>");

        var d = BuildFails().Single("MIG003");
        Assert.Equal(Path.GetFullPath(lonely), Path.GetFullPath(d.File));

        var items = _project.MSBuild("-getItem:None");
        Assert.Contains("000002_b.up.sql", items.Output);
        Directory.Delete(shared, recursive: true);
    }

    [Fact]
    public void Migration_files_inside_the_project_appear_as_project_items()
    {
        _project.WritePair("000001_a");
        var items = _project.MSBuild("-getItem:None");
        Assert.Contains("000001_a.up.sql", items.Output);
        Assert.Contains("000001_a.down.sql", items.Output);
    }

    [Fact]
    public void Design_time_builds_do_not_validate()
    {
        _project.WriteMigration("000001_a.up.sql");
        var result = _project.Build("-p:DesignTimeBuild=true");
        Assert.DoesNotContain(result.Diagnostics, d => d.Code == "MIG003");
    }
}
