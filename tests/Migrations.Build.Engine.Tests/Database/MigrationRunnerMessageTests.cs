using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.Tests.Verification;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>What the runner's refusals say: they must name the file's own text and the folder's own file names. Against a real server.</summary>
public sealed class MigrationRunnerMessageTests(LocalClusterFixture fixture) : IClassFixture<LocalClusterFixture>, IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly RecordingLog _log = new();

    public void Dispose() => _folder.Dispose();

    private MigrationSet Load(bool requireDown = true) =>
        MigrationSetLoader.Load(new MigrationSetOptions(_folder.Path) { RequireDown = requireDown });

    private MigrationRunner NewRunner(string database) =>
        new(ConnectionSettings.Parse(database, "test"), new HistoryTable("public", "schema_migrations"), _log, TimeSpan.FromSeconds(30));

    [Fact]
    public async Task A_refused_destructive_statement_is_quoted_as_the_file_writes_it()
    {
        _folder.Write("001_tokens.sql", "CREATE TABLE legacy_tokens (id int);\n");
        _folder.Write("002_drop_tokens.sql", "-- gone for good\nDROP TABLE   IF EXISTS\n    legacy_tokens;\n");
        var set = Load();

        Assert.False(await NewRunner(fixture.NewDatabase()).UpAsync(() => set, new UpOptions { RefuseDestructive = true }));

        var refused = Assert.Single(_log.Diagnostics, d => d.Code == DiagnosticCodes.DestructiveMigrationRefused);
        Assert.StartsWith("destructive statement 'DROP TABLE IF EXISTS legacy_tokens'.", refused.Message);
        Assert.Equal((2, 1), (refused.Line, refused.Column));
    }

    [Fact]
    public async Task An_unclosed_parenthesis_is_refused_as_itself_at_apply_not_as_transaction_control()
    {
        _folder.Write("001_x.sql", "BEGIN; CREATE TABLE x (id int; COMMIT;\n");
        var set = Load();

        Assert.False(await NewRunner(fixture.NewDatabase()).UpAsync(() => set, new UpOptions()));

        var refused = Assert.Single(_log.Diagnostics);
        Assert.Equal((DiagnosticCodes.UnclosedParenthesis, 1, 23), (refused.Code, refused.Line, refused.Column));
    }

    [Fact]
    public async Task Rolling_back_a_forward_only_migration_names_a_file_as_wide_as_the_folder_writes_versions()
    {
        _folder.Write("000001_users.sql", "CREATE TABLE users (id int);\n");
        _folder.Write("000002_projects.sql", "CREATE TABLE projects (id int);\n");
        _folder.Write("000003_tags.sql", "CREATE TABLE tags (id int);\n");
        var set = Load(requireDown: false);
        var runner = NewRunner(fixture.NewDatabase());
        Assert.True(await runner.UpAsync(() => set, new UpOptions()));

        Assert.False(await runner.DownAsync(() => set, 1, null));

        var missing = Assert.Single(_log.Diagnostics, d => d.Code == DiagnosticCodes.MissingDownForRollback);
        Assert.Contains("(000003_name.sql)", missing.Message);
    }

    [Fact]
    public async Task Rolling_back_a_migration_whose_files_are_gone_names_them_as_wide_as_the_folder_writes_versions()
    {
        _folder.Write("000001_users.up.sql", "CREATE TABLE users (id int);\n");
        _folder.Write("000001_users.down.sql", "DROP TABLE users;\n");
        _folder.Write("000002_tags.up.sql", "CREATE TABLE tags (id int);\n");
        _folder.Write("000002_tags.down.sql", "DROP TABLE tags;\n");
        var runner = NewRunner(fixture.NewDatabase());
        Assert.True(await runner.UpAsync(() => Load(), new UpOptions()));
        File.Delete(Path.Combine(_folder.Path, "000002_tags.up.sql"));
        File.Delete(Path.Combine(_folder.Path, "000002_tags.down.sql"));

        Assert.False(await runner.DownAsync(() => Load(), 1, null));

        var missing = Assert.Single(_log.Diagnostics, d => d.Code == DiagnosticCodes.MissingDownForRollback);
        Assert.Contains("restore '000002_tags.up.sql'", missing.Message);
    }
}
