namespace Migrations.Build.Engine.Sql;

/// <summary>Recognises transaction-control statements by their leading keywords.</summary>
public static class TransactionControl
{
    public static bool IsBegin(SqlStatement statement) =>
        statement.StartsWithWords("BEGIN") || statement.StartsWithWords("START", "TRANSACTION");

    public static bool IsCommit(SqlStatement statement) =>
        (statement.StartsWithWords("COMMIT") && !statement.StartsWithWords("COMMIT", "PREPARED")) || statement.StartsWithWords("END");

    public static bool IsRollback(SqlStatement statement) =>
        (statement.StartsWithWords("ROLLBACK") && !statement.StartsWithWords("ROLLBACK", "PREPARED")) || statement.StartsWithWords("ABORT");

    public static bool IsTransactionControl(SqlStatement statement) =>
        IsBegin(statement) || IsCommit(statement) || IsRollback(statement);
}
