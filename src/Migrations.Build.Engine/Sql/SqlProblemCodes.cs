namespace Migrations.Build.Engine.Sql;

/// <summary>
/// Codes of problems found while lexing and splitting SQL. MIG1xx: the SQL inside migration files.
/// Stable like <see cref="DiagnosticCodes"/>: never renumber or reuse one.
/// </summary>
public static class SqlProblemCodes
{
    public const string Unterminated = "MIG101";
    public const string PsqlMetaCommand = "MIG102";
    public const string CopyWithClientData = "MIG103";
    public const string UnclosedParenthesis = "MIG104";
}
