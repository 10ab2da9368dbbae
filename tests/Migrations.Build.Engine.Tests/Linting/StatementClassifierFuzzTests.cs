using System.Text;
using Migrations.Build.Engine.Linting;
using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Tests.Linting;

public sealed class StatementClassifierFuzzTests
{
    private static readonly string[] Pieces =
    [
        "CREATE", "DROP", "ALTER", "TABLE", "INDEX", "CONCURRENTLY", "IF", "NOT", "EXISTS", "ON", "ONLY", "ADD", "COLUMN",
        "CONSTRAINT", "DEFAULT", "NULL", "GENERATED", "CASCADE", "WHERE", "DELETE", "FROM", "UPDATE", "SET", "TRUNCATE",
        "WITH", "AS", "BEGIN", "COMMIT", "ROLLBACK", "REINDEX", "VACUUM", "SYSTEM", "SCHEMA", "TYPE", "TRIGGER", "DETACH",
        "PARTITION", "PRIMARY", "KEY", "DATABASE", "MATERIALIZED", "VIEW", "FUNCTION", "a", "b", "\"Q\"", ".", ",", "(", ")",
        "*", "'s'", "1", "--migrate:ignore MIG112\n", "-- migrate:ignore-file MIG113,\n", "-- migrate:no-transaction\n", ";", " ", "\n",
    ];

    [Fact]
    public void Random_token_sequences_never_throw()
    {
        var random = new Random(110);
        var dir = new TempDirectory();
        try
        {
            for (var round = 0; round < 3000; round++)
            {
                var text = Next(random);
                foreach (var statement in SqlStatementSplitter.Split(text).Statements) StatementClassifier.Classify(statement);
                if (round % 100 != 0) continue;
                dir.Write("000001_m.up.sql", text);
                dir.Write("000001_m.down.sql", Next(random));
                var set = MigrationSetLoader.Load(new MigrationSetOptions(dir.Path));
                MigrationLinter.Lint(set, new LintOptions { RequireIfExists = true });
            }
        }
        finally
        {
            dir.Dispose();
        }
    }

    private static string Next(Random random)
    {
        var builder = new StringBuilder();
        var count = random.Next(40);
        for (var i = 0; i < count; i++)
        {
            builder.Append(Pieces[random.Next(Pieces.Length)]);
            if (random.Next(3) > 0) builder.Append(' ');
        }

        return builder.ToString();
    }
}
