using System.Text.RegularExpressions;
using Migrations.Build.Engine.Linting;

namespace Migrations.Build.Engine.Tests;

public class MigrationCreatorTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 11, 25, 10, 30, 15, DateTimeKind.Utc);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private MigrationCreator.Result Create(string name, string? template = null, MigrationLayout? layout = null) =>
        MigrationCreator.Create(new MigrationSetOptions(_dir.Path) { Layout = layout }, name, template, Now);

    private string[] FileNames() => Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void Empty_folder_gets_a_paired_migration_six_digits_wide()
    {
        var result = Create("add_agents_table");
        Assert.True(result.Succeeded);
        Assert.Equal(["000001_add_agents_table.down.sql", "000001_add_agents_table.up.sql"], FileNames());
        var up = File.ReadAllText(Path.Combine(_dir.Path, "000001_add_agents_table.up.sql"));
        Assert.Contains("-- Migration: add_agents_table", up);
        Assert.Contains("-- Created: 2026-11-25 10:30:15 UTC", up);
        Assert.Contains("BEGIN;", up);
        Assert.Contains("COMMIT;", up);
    }

    [Fact]
    public void Missing_folder_is_created()
    {
        var nested = Path.Combine(_dir.Path, "db", "migrations");
        var result = MigrationCreator.Create(new MigrationSetOptions(nested), "init", null, Now);
        Assert.True(result.Succeeded);
        Assert.Equal(2, Directory.GetFiles(nested).Length);
    }

    [Fact]
    public void Next_version_keeps_the_folder_width_and_layout()
    {
        _dir.Write("014_a.sql", "SELECT 1;");
        _dir.Write("015_add_api_keys.sql", "SELECT 1;");
        var result = Create("add_sessions");
        Assert.Equal([Path.Combine(_dir.Path, "016_add_sessions.sql")], result.CreatedPaths);
    }

    [Fact]
    public void Unpadded_folder_stays_unpadded()
    {
        _dir.Write("9_a.up.sql", "SELECT 1;");
        _dir.Write("9_a.down.sql", "SELECT 1;");
        Create("b");
        Assert.Contains("10_b.up.sql", FileNames());
    }

    [Fact]
    public void Timestamp_folder_gets_the_current_utc_timestamp()
    {
        _dir.Write("20260211091500_init.up.sql", "SELECT 1;");
        _dir.Write("20260211091500_init.down.sql", "SELECT 1;");
        Create("next");
        Assert.Contains("20261125103015_next.up.sql", FileNames());
    }

    [Fact]
    public void Timestamp_in_the_future_is_exceeded_rather_than_duplicated()
    {
        _dir.Write("20990101000000_future.sql", "SELECT 1;");
        _dir.Write("20980101000000_past.sql", "SELECT 1;");
        Create("next");
        Assert.Contains("20990101000001_next.sql", FileNames());
    }

    [Fact]
    public void Pinned_forward_only_layout_in_an_empty_folder_writes_one_file()
    {
        Create("init", layout: MigrationLayout.ForwardOnly);
        Assert.Equal(["001_init.sql"], FileNames());
    }

    [Theory]
    [InlineData("add agents")]
    [InlineData("../evil")]
    [InlineData("quote'name")]
    [InlineData("add.agents")]
    [InlineData("")]
    public void Invalid_names_are_refused_and_nothing_is_written(string name)
    {
        var result = Create(name);
        Assert.False(result.Succeeded);
        Assert.Equal(DiagnosticCodes.InvalidMigrationName, Assert.Single(result.Diagnostics).Code);
        Assert.Empty(FileNames());
        Assert.Empty(Directory.GetDirectories(_dir.Path));
    }

    [Theory]
    [InlineData("add-agents")]
    [InlineData("Add_Users")]
    [InlineData("add agents")]
    [InlineData("../evil")]
    [InlineData("x'quote")]
    [InlineData("add.agents")]
    [InlineData("a/b")]
    public void A_name_is_accepted_exactly_when_a_migration_file_can_have_it(string name)
    {
        var fileNameAccepts = MigrationFileName.TryParse($"1_{name}.up.sql", out var parsed, out _) && parsed!.Name == name;

        var result = Create(name);

        Assert.Equal(fileNameAccepts, result.Succeeded);
        if (result.Succeeded) Assert.Equal([$"000001_{name}.down.sql", $"000001_{name}.up.sql"], FileNames());
    }

    [Fact]
    public void A_name_with_a_hyphen_is_created_and_loads_as_that_migration()
    {
        Assert.True(Create("add-agents").Succeeded);

        var migration = Assert.Single(MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path)).Migrations);
        Assert.Equal("add-agents", migration.Name);
    }

    [Fact]
    public void Unknown_template_is_refused()
    {
        var result = Create("x", template: "drop-everything");
        Assert.Equal(DiagnosticCodes.UnknownTemplate, Assert.Single(result.Diagnostics).Code);
        Assert.Empty(FileNames());
    }

    [Fact]
    public void Add_index_template_builds_concurrently_outside_a_transaction()
    {
        Create("add_index_users_email", template: MigrationTemplates.AddIndex);
        var up = File.ReadAllText(Path.Combine(_dir.Path, "000001_add_index_users_email.up.sql"));
        Assert.Contains("CREATE INDEX CONCURRENTLY", up);
        Assert.Contains("-- migrate:no-transaction", up);
        Assert.DoesNotContain("BEGIN;", up);
        Assert.DoesNotContain("COMMIT;", up);
    }

    [Theory]
    [InlineData("add_index_projects_owner", "idx_projects_owner", "projects (owner)")]
    [InlineData("add_projects_owner_index", "idx_projects_owner", "projects (owner)")]
    [InlineData("index_projects_on_owner", "idx_projects_owner", "projects (owner)")]
    [InlineData("add-index-projects-owner", "idx_projects_owner", "projects (owner)")]
    [InlineData("add_index_to_orders_on_customer_and_created_at", "idx_orders_customer_created_at", "orders (customer, created_at)")]
    public void Add_index_template_takes_table_and_columns_from_the_name(string name, string index, string target)
    {
        Create(name, template: MigrationTemplates.AddIndex);

        var up = File.ReadAllText(Path.Combine(_dir.Path, $"000001_{name}.up.sql"));
        var down = File.ReadAllText(Path.Combine(_dir.Path, $"000001_{name}.down.sql"));
        Assert.Contains($"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index}\n    ON {target};", up);
        Assert.Contains($"DROP INDEX CONCURRENTLY IF EXISTS {index};", down);
        Assert.DoesNotContain("TODO", up);
        Assert.DoesNotContain("my_", up);
    }

    /// <summary>Where the name does not tell a table or column, the template says so in SQL the build refuses, at the spot to fix.</summary>
    [Theory]
    [InlineData("add_index_on_keys", "add-index")]
    [InlineData("add_index_user_accounts_email", "add-index")]
    [InlineData("speed_things_up", "add-index")]
    [InlineData("add_status", "add-column")]
    [InlineData("add-2fa-codes", "create-table")]
    public void A_name_that_does_not_tell_leaves_placeholders_the_build_reports_where_they_are(string name, string template)
    {
        Assert.True(Create(name, template).Succeeded);

        var set = MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path));
        var reported = MigrationLinter.Lint(set, LintOptions.Default)
            .Where(d => d.Code == LintCodes.TemplatePlaceholder)
            .Select(d => (Path.GetFileName(d.FilePath), d.Line, d.Column, d.Severity))
            .ToList();
        var expected = new List<(string?, int, int, DiagnosticSeverity)>();
        foreach (var file in FileNames())
        {
            var lines = File.ReadAllLines(Path.Combine(_dir.Path, file!));
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("--", StringComparison.Ordinal)) continue;
                foreach (Match placeholder in Regex.Matches(lines[i], "<[a-z]+>"))
                    expected.Add((file, i + 1, placeholder.Index + 1, DiagnosticSeverity.Error));
            }
        }

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Order(), reported.Order());
        Assert.DoesNotContain("my_", string.Concat(FileNames().Select(f => File.ReadAllText(Path.Combine(_dir.Path, f!)))));
    }

    [Fact]
    public void Add_column_template_fills_in_table_and_column_from_the_name()
    {
        Create("add_status_to_orders", template: MigrationTemplates.AddColumn);
        var up = File.ReadAllText(Path.Combine(_dir.Path, "000001_add_status_to_orders.up.sql"));
        var down = File.ReadAllText(Path.Combine(_dir.Path, "000001_add_status_to_orders.down.sql"));
        Assert.Contains("ALTER TABLE orders", up);
        Assert.Contains("ADD COLUMN status TEXT;", up);
        Assert.Contains("DROP COLUMN IF EXISTS status;", down);
        Assert.DoesNotContain("CREATE INDEX", up.Split("COMMIT;")[0]);
    }

    [Fact]
    public void Create_table_template_drops_without_cascade()
    {
        Create("create_agents", template: MigrationTemplates.CreateTable);
        var up = File.ReadAllText(Path.Combine(_dir.Path, "000001_create_agents.up.sql"));
        var down = File.ReadAllText(Path.Combine(_dir.Path, "000001_create_agents.down.sql"));
        Assert.Contains("CREATE TABLE agents (", up);
        Assert.Contains("DROP TABLE IF EXISTS agents;", down);
        Assert.DoesNotContain("CASCADE", down.Replace("No CASCADE", ""));
    }

    [Fact]
    public void Created_files_pass_validation()
    {
        foreach (var template in MigrationTemplates.Names) Assert.True(Create("m_" + template.Replace('-', '_'), template).Succeeded);
        var set = MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path));
        Assert.Empty(set.Diagnostics);
        Assert.Equal(4, set.Migrations.Count);
    }
}
