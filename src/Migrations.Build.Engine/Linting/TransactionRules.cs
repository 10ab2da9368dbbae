using Migrations.Build.Engine.Database;

namespace Migrations.Build.Engine.Linting;

/// <summary>
/// MIG110 and MIG111: how a script's statements sit with the transaction it runs in. By default the runner
/// runs a script in one transaction (taking off a BEGIN; ... COMMIT; wrapper), so the only transaction
/// control it accepts is that wrapper. Under <c>-- migrate:no-transaction</c> the script controls its own
/// transactions, so BEGIN/COMMIT pairs are fine there, but they must balance.
/// </summary>
internal static class TransactionRules
{
    private static readonly string DirectiveFix =
        $"add '-- {MigrationScriptPlan.NoTransactionDirective}' on a line of its own and remove BEGIN/COMMIT " +
        "(best in a migration of its own: a failure halfway through such a migration is not rolled back)";

    public static void Check(ScriptLinter lint)
    {
        if (lint.Transactional) CheckRunnerTransaction(lint);
        else CheckOwnTransactions(lint);
    }

    private static void CheckRunnerTransaction(ScriptLinter lint)
    {
        var statements = lint.Statements;
        var last = statements.Count - 1;
        var wrapped = statements.Count >= 2 && statements[0].Kind == StatementKind.Begin && statements[last].Kind == StatementKind.Commit;
        for (var i = 0; i < statements.Count; i++)
        {
            var info = statements[i];
            switch (info.Kind)
            {
                // The closing COMMIT may be in the part of the file an unterminated construct swallowed (MIG101, MIG104 say so).
                case StatementKind.Begin when i == 0 && lint.SwallowsRest:
                    break;
                case StatementKind.Begin when !(wrapped && i == 0):
                    Misuse(lint, info, i, i == 0
                        ? $"'{Keyword(info)}' has no COMMIT as the last statement, and the runner only accepts BEGIN/COMMIT around the whole file: end the file with COMMIT; or remove the BEGIN"
                        : $"'{Keyword(info)}' is not the first statement: the runner runs the whole file in one transaction, " +
                          "so a BEGIN in the middle is ignored and its COMMIT ends the migration's transaction early; wrap the whole file in BEGIN; ... COMMIT; or in nothing");
                    break;
                case StatementKind.Commit when !(wrapped && i == last):
                    Misuse(lint, info, i, i == last
                        ? $"'{Keyword(info)}' has no BEGIN as the first statement: start the file with BEGIN; or remove the COMMIT"
                        : $"'{Keyword(info)}' is not the last statement: it commits the first part of the migration on its own, " +
                          "so a later failure leaves the database half migrated; keep only a COMMIT at the end (or none)");
                    break;
                case StatementKind.Rollback:
                    Rollback(lint, info, i);
                    break;
            }

            if (info.CannotRunInTransaction)
            {
                Add(lint, info, i, LintCodes.NonTransactionalInTransaction,
                    $"{info.NonTransactionalCommand} cannot run inside a transaction block, and this migration runs in one, " +
                    $"so PostgreSQL refuses it when the migration is applied: {DirectiveFix}");
            }
        }
    }

    private static void CheckOwnTransactions(ScriptLinter lint)
    {
        StatementInfo? open = null;
        var openIndex = -1;
        for (var i = 0; i < lint.Statements.Count; i++)
        {
            var info = lint.Statements[i];
            switch (info.Kind)
            {
                case StatementKind.Begin when open is not null:
                    Misuse(lint, info, i,
                        $"BEGIN while the transaction opened at line {open.Statement.StartLine} is still open: PostgreSQL ignores it, " +
                        "and the first COMMIT ends both; add the missing COMMIT; before it");
                    break;
                case StatementKind.Begin:
                    open = info;
                    openIndex = i;
                    break;
                case StatementKind.Commit when open is null:
                    Misuse(lint, info, i, $"'{Keyword(info)}' without a BEGIN before it: add BEGIN; where the transaction should start, or remove it");
                    break;
                case StatementKind.Commit:
                    open = null;
                    break;
                case StatementKind.Rollback:
                    Rollback(lint, info, i);
                    break;
            }

            if (info.CannotRunInTransaction && open is not null)
            {
                Add(lint, info, i, LintCodes.NonTransactionalInTransaction,
                    $"{info.NonTransactionalCommand} cannot run inside a transaction block, and here it is inside the BEGIN at line " +
                    $"{open.Statement.StartLine}, so PostgreSQL refuses it: move it after the COMMIT (or remove BEGIN/COMMIT)");
            }
        }

        if (open is not null && !lint.SwallowsRest)
        {
            Misuse(lint, open, openIndex, "BEGIN without a COMMIT after it: the changes after it are rolled back when the connection closes; add COMMIT;");
        }
    }

    /// <summary>The command as written: BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT.</summary>
    private static string Keyword(StatementInfo info) =>
        info.Statement.StartsWithWords("START") ? "START TRANSACTION" : info.Statement.FirstWords(1);

    private static void Rollback(ScriptLinter lint, StatementInfo info, int index) =>
        Misuse(lint, info, index,
            $"'{Keyword(info)}' in a migration throws away the migration's own changes while the migration is recorded as applied: " +
            "remove it (a failing statement rolls the migration back on its own)");

    private static void Misuse(ScriptLinter lint, StatementInfo info, int index, string message) =>
        Add(lint, info, index, LintCodes.TransactionControlMisuse, message);

    private static void Add(ScriptLinter lint, StatementInfo info, int index, string code, string message)
    {
        var at = code == LintCodes.NonTransactionalInTransaction && info.NonTransactionalToken is { } token
            ? ScriptLinter.PositionOf(info.Statement, token.Start)
            : info.Statement.StartPosition;
        lint.Add(code, DiagnosticSeverity.Error, message, at, index);
    }
}
