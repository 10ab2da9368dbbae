using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// How one script runs: the statements to send and whether they run inside the runner's transaction.
/// A script wrapped in BEGIN; … COMMIT; (the seeds' convention) has the wrapper taken off, so its
/// statements commit together with the history row. <c>-- migrate:no-transaction</c> runs the script
/// statement by statement outside any transaction, for CREATE INDEX CONCURRENTLY and the like.
/// </summary>
public sealed class MigrationScriptPlan
{
    public const string NoTransactionDirective = "migrate:no-transaction";

    private MigrationScriptPlan(MigrationScript script, bool transactional, IReadOnlyList<SqlStatement> statements, IReadOnlyList<MigrationDiagnostic> problems)
    {
        Script = script;
        Transactional = transactional;
        Statements = statements;
        Problems = problems;
    }

    public MigrationScript Script { get; }
    public bool Transactional { get; }
    public IReadOnlyList<SqlStatement> Statements { get; }
    public IReadOnlyList<MigrationDiagnostic> Problems { get; }

    public static MigrationScriptPlan For(MigrationScript script)
    {
        var text = script.Text ?? "";
        var split = SqlStatementSplitter.Split(text);
        var problems = split.Problems
            .Select(p => new MigrationDiagnostic(p.Code, DiagnosticSeverity.Error, p.Message, script.Path, p.Position.Line, p.Position.Column))
            .ToList();
        var transactional = !HasNoTransactionDirective(text);
        var statements = split.Statements.ToList();

        // When an unterminated construct swallowed the end of the file (MIG101, MIG104, which stop the run), its COMMIT may be in
        // there: saying the BEGIN has none would blame the transaction for a quote or parenthesis.
        if (transactional && !split.SwallowsRest)
        {
            if (statements.Count >= 2 && TransactionControl.IsBegin(statements[0]) && TransactionControl.IsCommit(statements[^1]))
            {
                statements = statements.GetRange(1, statements.Count - 2);
            }
            foreach (var statement in statements.Where(TransactionControl.IsTransactionControl))
            {
                problems.Add(new MigrationDiagnostic(DiagnosticCodes.TransactionControlInMigration, DiagnosticSeverity.Error,
                    $"'{statement.FirstWords(1)}' here would end the transaction that keeps this migration atomic with its history row: " +
                    "wrap the whole file in BEGIN; … COMMIT; (first and last statement) or in nothing, or mark it '-- " + NoTransactionDirective + "'",
                    script.Path, statement.StartLine, statement.StartColumn));
            }
        }
        return new MigrationScriptPlan(script, transactional, statements, problems);
    }

    /// <summary>The directive is a line comment of its own: <c>-- migrate:no-transaction</c>.</summary>
    public static bool HasNoTransactionDirective(string text)
    {
        if (!text.Contains(NoTransactionDirective, StringComparison.OrdinalIgnoreCase)) return false;
        var lexed = SqlLexer.Tokenize(text);
        foreach (var token in lexed.Tokens)
        {
            if (token.Kind != SqlTokenKind.LineComment) continue;
            var body = token.Span(text)[2..].Trim();
            if (body.Equals(NoTransactionDirective, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
