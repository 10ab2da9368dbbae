using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.Linting;
using Migrations.Build.Engine.Tests.Database;
using Migrations.Build.Engine.Verification;

namespace Migrations.Build.Engine.Tests.Verification;

/// <summary>
/// MIG116 (the static check that a down drops what its up creates) against MIG310 (MigrateVerify: run the up and the
/// down on a real server and compare the schema). A MIG116 must be a leftover that MigrateVerify finds too, and where
/// PostgreSQL drops an object along with what it depends on, neither may complain.
/// </summary>
public sealed class DownReversalAgreementTests(LocalClusterFixture fixture) : IClassFixture<LocalClusterFixture>
{
    /// <summary>Migration 1, under every pair: a table and a trigger function to build on.</summary>
    private const string BaseUp = """
        CREATE TABLE users (id int PRIMARY KEY, email text);
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        """;

    private const string BaseDown = "DROP FUNCTION touch();\nDROP TABLE users;\n";

    /// <summary>Objects that depend on table {t} and its column tier, each created by the up.</summary>
    private static readonly (string Name, string Sql)[] Dependents =
    [
        ("none", ""),
        ("index", "CREATE INDEX idx_{t}_tier ON {t} (tier);"),
        ("multi-column index", "CREATE INDEX idx_{t}_id_tier ON {t} (id, tier);"),
        ("partial index", "CREATE INDEX idx_{t}_paid ON {t} (id) WHERE tier = 'paid';"),
        ("view", "CREATE VIEW {t}_tiers AS SELECT id, tier FROM {t};"),
        ("materialized view and its index",
            "CREATE MATERIALIZED VIEW {t}_tier_counts AS SELECT tier, count(*) AS n FROM {t} GROUP BY tier;\n" +
            "CREATE INDEX idx_{t}_tier_counts ON {t}_tier_counts (tier);"),
        ("trigger", "CREATE TRIGGER {t}_touch BEFORE UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION touch();"),
        ("owned sequence", "CREATE SEQUENCE {t}_tier_seq OWNED BY {t}.tier;"),
    ];

    /// <summary>
    /// How the pair brings in {t}.tier and how its down takes it away: a table the up creates, or a column it adds to
    /// users. Forgets: the down leaves the column behind.
    /// </summary>
    private static readonly (string Table, string UpPrefix, string Down, bool Cascade, bool DropsTable, bool Forgets)[] Owners =
    [
        ("projects", "CREATE TABLE projects (id int PRIMARY KEY, tier text);", "DROP TABLE projects;", false, true, false),
        ("projects", "CREATE TABLE projects (id int PRIMARY KEY, tier text);", "DROP TABLE projects CASCADE;", true, true, false),
        ("users", "ALTER TABLE users ADD COLUMN tier text;", "ALTER TABLE users DROP COLUMN tier;", false, false, false),
        ("users", "ALTER TABLE users ADD COLUMN tier text;", "ALTER TABLE users DROP COLUMN tier CASCADE;", true, false, false),
        ("users", "ALTER TABLE users ADD COLUMN tier text;", "SELECT 1;", false, false, true),
    ];

    /// <summary>
    /// Every dependent under every way of taking its owner away. A view needs CASCADE, or PostgreSQL refuses the drop
    /// (MigrateVerify cannot judge a down that fails). A trigger goes with its table, not with a column.
    /// </summary>
    public static TheoryData<string, string, string, bool?> GeneratedPairs()
    {
        var data = new TheoryData<string, string, string, bool?>();
        foreach (var (dependent, template) in Dependents)
        {
            foreach (var (table, upPrefix, down, cascade, dropsTable, forgets) in Owners)
            {
                var sql = template.Replace("{t}", table);
                var needsCascade = dependent.Contains("view", StringComparison.Ordinal);
                bool? leftover = needsCascade && !cascade && !forgets ? null
                    : forgets || (dependent == "trigger" && !dropsTable);
                data.Add($"{dependent}; down {down}", upPrefix + "\n" + sql + "\n", down + "\n", leftover);
            }
        }

        return data;
    }

    /// <summary>Dependency cases beyond one table and column, and downs that really forget something.</summary>
    public static TheoryData<string, string, string, bool?> ChosenPairs() => new()
    {
        {
            "DROP VIEW ... CASCADE takes a materialized view on it and that view's index",
            """
            CREATE VIEW user_emails AS SELECT id, email FROM users;
            CREATE MATERIALIZED VIEW email_domains AS SELECT split_part(email, '@', 2) AS domain FROM user_emails;
            CREATE INDEX idx_email_domains ON email_domains (domain);
            """,
            "DROP VIEW user_emails CASCADE;", false
        },
        {
            "DROP SCHEMA ... CASCADE takes what is in it",
            """
            CREATE SCHEMA billing;
            CREATE TABLE billing.invoices (id int, user_id int);
            CREATE INDEX idx_invoices_user ON billing.invoices (user_id);
            CREATE VIEW billing.open_invoices AS SELECT id FROM billing.invoices;
            """,
            "DROP SCHEMA billing CASCADE;", false
        },
        {
            "a partition goes with its parent",
            """
            CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
            CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            """,
            "DROP TABLE events;", false
        },
        {
            "serial and identity sequences go with their table",
            "CREATE TABLE tickets (id serial PRIMARY KEY, n bigint GENERATED ALWAYS AS IDENTITY);",
            "DROP TABLE tickets;", false
        },
        {
            "a sequence made owned by ALTER SEQUENCE goes with its table",
            "CREATE TABLE tickets (id int);\nCREATE SEQUENCE ticket_ids;\nALTER SEQUENCE ticket_ids OWNED BY tickets.id;",
            "DROP TABLE tickets;", false
        },
        {
            "a table renamed by the up is dropped under its new name",
            "CREATE TABLE projects_new (id int);\nCREATE INDEX idx_projects_new ON projects_new (id);\nALTER TABLE projects_new RENAME TO projects;",
            "DROP TABLE projects;", false
        },
        {
            "an index on a helper table the up drops again",
            "CREATE TABLE scratch (id int);\nCREATE INDEX idx_scratch ON scratch (id);\nDROP TABLE scratch;\nCREATE TABLE projects (id int);",
            "DROP TABLE projects;", false
        },
        {
            "DROP FUNCTION ... CASCADE takes the trigger that calls it",
            "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n" +
            "CREATE TRIGGER users_stamp BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION stamp();",
            "DROP FUNCTION stamp() CASCADE;", false
        },
        {
            "forgets an index on a table the down keeps",
            "CREATE TABLE projects (id int);\nCREATE INDEX idx_users_email ON users (email);",
            "DROP TABLE projects;", true
        },
        {
            "forgets a type",
            "CREATE TYPE mood AS ENUM ('sad', 'happy');\nCREATE TABLE moods (m mood);",
            "DROP TABLE moods;", true
        },
        {
            "forgets the trigger's function",
            "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n" +
            "CREATE TRIGGER users_stamp BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION stamp();",
            "DROP TRIGGER users_stamp ON users;", true
        },
        {
            "forgets a trigger",
            "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();",
            "SELECT 1;", true
        },
    };

    /// <param name="leftover">Whether the down leaves something of the up behind; null where the down fails, so MigrateVerify cannot judge.</param>
    [Theory]
    [MemberData(nameof(GeneratedPairs))]
    [MemberData(nameof(ChosenPairs))]
    public async Task The_static_check_and_MigrateVerify_agree(string pair, string up, string down, bool? leftover)
    {
        using var folder = new TempDirectory();
        folder.Write("000001_base.up.sql", BaseUp);
        folder.Write("000001_base.down.sql", BaseDown);
        folder.Write("000002_pair.up.sql", up);
        folder.Write("000002_pair.down.sql", down);
        var set = MigrationSetLoader.Load(new MigrationSetOptions(folder.Path));
        Assert.Empty(set.Diagnostics);

        var staticFindings = MigrationLinter.Lint(set, LintOptions.Default).Where(d => d.Code == LintCodes.DownDoesNotReverseUp).ToList();
        var log = new RecordingLog();
        var verifier = new MigrationVerifier(ConnectionSettings.Parse(fixture.NewDatabase(), "test"), new HistoryTable("public", "schema_migrations"), log);
        var verified = await verifier.VerifyAsync(set);
        var verifyFindings = log.Diagnostics.Where(d => d.Code == DiagnosticCodes.DownDoesNotRestoreSchema).ToList();

        var detail = $"{pair}\nMIG116: {string.Join(" | ", staticFindings.Select(d => d.Message))}\nverify: {string.Join(" | ", log.Diagnostics)}";
        if (leftover is null)
        {
            // PostgreSQL refuses the down: MigrateVerify stops with the SQL error, not a schema difference.
            Assert.False(verified, detail);
            Assert.Empty(verifyFindings);
            return;
        }

        Assert.True(verified || verifyFindings.Count > 0, "MigrateVerify could not judge: " + detail);
        // Every MIG116 is a leftover MigrateVerify finds too.
        if (staticFindings.Count > 0) Assert.True(verifyFindings.Count > 0, "MIG116 without a MIG310: " + detail);
        Assert.Equal(leftover.Value, verifyFindings.Count > 0);
        // The static check sees what the up creates, not a column it adds: that leftover is MigrateVerify's alone.
        var staticSees = leftover.Value && !up.TrimEnd().EndsWith("ADD COLUMN tier text;", StringComparison.Ordinal);
        Assert.True(staticSees == staticFindings.Count > 0, (staticSees ? "missed: " : "false positive: ") + detail);
    }
}
