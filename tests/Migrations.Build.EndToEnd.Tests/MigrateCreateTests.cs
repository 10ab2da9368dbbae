namespace Migrations.Build.EndToEnd.Tests;

[Collection(PackageCollection.Name)]
public sealed class MigrateCreateTests(PackageFixture package) : IDisposable
{
    private readonly ConsumerProject _project = package.NewConsumer();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Creates_the_next_pair_prints_the_paths_and_the_result_builds_clean()
    {
        _project.WritePair("000001_create_users");
        _project.WritePair("000002_create_projects");

        var result = _project.MSBuild("-t:MigrateCreate", "-p:MigrationName=add_agents_table");
        Assert.True(result.ExitCode == 0, result.ToString());
        var up = Path.Combine(_project.MigrationsDirectory, "000003_add_agents_table.up.sql");
        var down = Path.Combine(_project.MigrationsDirectory, "000003_add_agents_table.down.sql");
        Assert.True(File.Exists(up));
        Assert.True(File.Exists(down));
        Assert.Contains("Created " + up, result.Output);
        Assert.Contains("Created " + down, result.Output);

        var build = _project.Build();
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Empty(build.Diagnostics);
    }

    [Fact]
    public void Forward_only_folder_gets_one_file_of_the_same_width_from_the_chosen_template()
    {
        _project.WriteMigration("014_a.sql");
        _project.WriteMigration("015_add_api_keys.sql");
        var result = _project.MSBuild("-t:MigrateCreate", "-p:MigrationName=add_index_on_keys", "-p:MigrationTemplate=add-index");
        Assert.True(result.ExitCode == 0, result.ToString());
        var created = Path.Combine(_project.MigrationsDirectory, "016_add_index_on_keys.sql");
        Assert.Contains("CREATE INDEX CONCURRENTLY", File.ReadAllText(created));
        Assert.Equal(3, Directory.GetFiles(_project.MigrationsDirectory).Length);
    }

    [Theory]
    [InlineData("add agents")]
    [InlineData("../../etc/evil")]
    [InlineData("x'quote")]
    public void Invalid_name_is_refused_with_MIG050_and_nothing_is_written(string name)
    {
        _project.WritePair("000001_a");
        var result = _project.MSBuild("-t:MigrateCreate", "-p:MigrationName=" + name);
        Assert.NotEqual(0, result.ExitCode);
        Assert.True(result.Single("MIG050").IsError);
        Assert.Equal(2, Directory.GetFiles(_project.MigrationsDirectory).Length);
        Assert.Equal(2, Directory.GetFiles(_project.Directory, "*.sql", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void Add_index_takes_its_target_from_the_name_and_a_name_that_does_not_tell_fails_the_build_at_the_placeholders()
    {
        _project.WritePair("000001_create_projects", "CREATE TABLE projects (id int, owner text);\n", "DROP TABLE projects;\n");

        var named = _project.MSBuild("-t:MigrateCreate", "-p:MigrationName=add_index_projects_owner", "-p:MigrationTemplate=add-index");
        Assert.True(named.ExitCode == 0, named.ToString());
        Assert.Contains("ON projects (owner);", File.ReadAllText(Path.Combine(_project.MigrationsDirectory, "000002_add_index_projects_owner.up.sql")));
        var clean = _project.Build();
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Empty(clean.Diagnostics);

        // A name with '-' is a valid migration name; this one names no table or column.
        var unnamed = _project.MSBuild("-t:MigrateCreate", "-p:MigrationName=speed-things-up", "-p:MigrationTemplate=add-index");
        Assert.True(unnamed.ExitCode == 0, unnamed.ToString());
        var up = Path.Combine(_project.MigrationsDirectory, "000003_speed-things-up.up.sql");
        var lines = File.ReadAllLines(up);
        var line = Array.FindIndex(lines, l => l.Contains("ON <table>", StringComparison.Ordinal));

        var build = _project.Build();
        Assert.NotEqual(0, build.ExitCode);
        var placeholders = build.Diagnostics.Where(d => d.Code == "MIG119" && d.File.EndsWith("000003_speed-things-up.up.sql", StringComparison.Ordinal)).ToList();
        Assert.All(placeholders, d => Assert.True(d.IsError));
        Assert.Contains(placeholders, d => d.Line == line + 1 && d.Column == lines[line].IndexOf("<table>", StringComparison.Ordinal) + 1);
        Assert.Contains(build.Diagnostics, d => d.Code == "MIG119" && d.File.EndsWith("000003_speed-things-up.down.sql", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_template_is_refused_with_MIG051()
    {
        var result = _project.MSBuild("-t:MigrateCreate", "-p:MigrationName=x", "-p:MigrationTemplate=nope");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("create-table", result.Single("MIG051").Message);
        Assert.False(Directory.Exists(_project.MigrationsDirectory));
    }
}
