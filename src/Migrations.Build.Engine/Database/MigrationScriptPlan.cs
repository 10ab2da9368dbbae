using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// How one script runs: the statements to send and whether they run inside the runner's transaction.
/// A script wrapped in BEGIN; … COMMIT; (the seeds' convention) has the wrapper taken off, so its
/// statements commit together with the history row. <c>-- migrate:no-transaction</c> runs the script
/// statement by statement outside any transaction, for CREATE INDEX CONCURRENTLY and the like.
/// <c>-- migrate:lock-timeout 30s</c> and <c>-- migrate:statement-timeout 10min</c> set the file's own timeouts
/// (the lock timeout overrides MigrationStatementLockTimeout); a malformed one is MIG120, at build time as at run time.
/// </summary>
public sealed class MigrationScriptPlan
{
    public const string NoTransactionDirective = "migrate:no-transaction";
    public const string LockTimeoutDirective = "migrate:lock-timeout";
    public const string StatementTimeoutDirective = "migrate:statement-timeout";

    private MigrationScriptPlan(MigrationScript script, bool transactional, IReadOnlyList<SqlStatement> statements, IReadOnlyList<MigrationDiagnostic> problems,
        TimeoutDirectives timeouts)
    {
        Script = script;
        Transactional = transactional;
        Statements = statements;
        Problems = problems;
        LockTimeout = timeouts.LockTimeout;
        StatementTimeout = timeouts.StatementTimeout;
    }

    /// <summary>The file's <c>-- migrate:lock-timeout</c>, if any: overrides the run's MigrationStatementLockTimeout.</summary>
    public TimeSpan? LockTimeout { get; }

    /// <summary>The file's <c>-- migrate:statement-timeout</c>, if any: without it the session's own statement_timeout applies.</summary>
    public TimeSpan? StatementTimeout { get; }

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
        var timeouts = ReadTimeoutDirectives(text, script.Path);
        problems.AddRange(timeouts.Problems);
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
        return new MigrationScriptPlan(script, transactional, statements, problems, timeouts);
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

    /// <summary>A file's timeout directives, and what is wrong with them (MIG120).</summary>
    public sealed record TimeoutDirectives(TimeSpan? LockTimeout, TimeSpan? StatementTimeout, IReadOnlyList<MigrationDiagnostic> Problems);

    private static readonly TimeoutDirectives NoTimeouts = new(null, null, []);

    /// <summary>
    /// <c>-- migrate:lock-timeout VALUE</c> and <c>-- migrate:statement-timeout VALUE</c>, each a line comment of its own;
    /// VALUE is a duration with a unit (<see cref="PgDuration"/>). Given twice, or malformed, is an error at the comment.
    /// </summary>
    public static TimeoutDirectives ReadTimeoutDirectives(string text, string? path)
    {
        if (!text.Contains("-timeout", StringComparison.OrdinalIgnoreCase)) return NoTimeouts;
        TimeSpan? lockTimeout = null, statementTimeout = null;
        var problems = new List<MigrationDiagnostic>();
        foreach (var token in SqlLexer.Tokenize(text).Tokens)
        {
            if (token.Kind != SqlTokenKind.LineComment) continue;
            var body = token.GetText(text)[2..].Trim();
            var directive = body.StartsWith(LockTimeoutDirective, StringComparison.OrdinalIgnoreCase) ? LockTimeoutDirective
                : body.StartsWith(StatementTimeoutDirective, StringComparison.OrdinalIgnoreCase) ? StatementTimeoutDirective
                : null;
            if (directive is null) continue;
            var rest = body[directive.Length..];
            if (rest.Length > 0 && !char.IsWhiteSpace(rest[0])) continue; // another word that merely starts the same
            var value = rest.Trim();
            var position = TextPosition.FromOffset(text, token.Start);
            ref var slot = ref directive == LockTimeoutDirective ? ref lockTimeout : ref statementTimeout;
            string? problem = null;
            if (slot is not null) problem = $"'-- {directive}' is given twice: keep one";
            else if (value.Length == 0) problem = $"'-- {directive}' needs a value, such as '-- {directive} {(directive == LockTimeoutDirective ? "30s" : "10min")}'";
            else if (!PgDuration.TryParse(value, bareIsSeconds: false, out var parsed, out var error)) problem = $"'-- {directive} {value}': the value {error}";
            else slot = parsed;
            if (problem is not null)
            {
                problems.Add(new MigrationDiagnostic(DiagnosticCodes.InvalidDirective, DiagnosticSeverity.Error, problem, path, position.Line, position.Column));
            }
        }
        return new TimeoutDirectives(lockTimeout, statementTimeout, problems);
    }
}
