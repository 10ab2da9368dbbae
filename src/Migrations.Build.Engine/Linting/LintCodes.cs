namespace Migrations.Build.Engine.Linting;

/// <summary>
/// Codes of the SQL lint rules (MIG11x), stable like <see cref="DiagnosticCodes"/>: never renumber or reuse one.
/// Each can be silenced in the SQL with <c>-- migrate:ignore CODE</c> (next statement) or
/// <c>-- migrate:ignore-file CODE</c> (whole file), or project-wide with NoWarn.
/// </summary>
public static class LintCodes
{
    /// <summary>Error: CREATE INDEX CONCURRENTLY, VACUUM and the like inside a transaction block.</summary>
    public const string NonTransactionalInTransaction = "MIG110";

    /// <summary>Error: unbalanced or misplaced BEGIN/COMMIT, or any ROLLBACK.</summary>
    public const string TransactionControlMisuse = "MIG111";

    /// <summary>Warning: DROP TABLE, TRUNCATE, DELETE without WHERE and the like in an up migration.</summary>
    public const string DestructiveStatement = "MIG112";

    /// <summary>Warning: CASCADE drops or empties dependent objects nobody named.</summary>
    public const string Cascade = "MIG113";

    /// <summary>Warning: ADD COLUMN ... NOT NULL without DEFAULT on an existing table.</summary>
    public const string NotNullColumnWithoutDefault = "MIG114";

    /// <summary>Warning: CREATE INDEX without CONCURRENTLY on an existing table.</summary>
    public const string IndexWithoutConcurrently = "MIG115";

    /// <summary>Warning: the down script does not drop an object its up script creates.</summary>
    public const string DownDoesNotReverseUp = "MIG116";

    /// <summary>Warning, off unless LintOptions.RequireIfExists: CREATE without IF NOT EXISTS, DROP without IF EXISTS.</summary>
    public const string MissingIfExists = "MIG117";

    /// <summary>Warning: a <c>-- migrate:ignore</c> comment that is malformed or suppresses nothing.</summary>
    public const string UnusedSuppression = "MIG118";

    /// <summary>Error: a template placeholder such as <c>&lt;table&gt;</c> that MigrateCreate left for the author to replace.</summary>
    public const string TemplatePlaceholder = "MIG119";

    /// <summary>The codes a <c>-- migrate:ignore</c> comment may name.</summary>
    public static IReadOnlyList<string> Suppressible { get; } =
    [
        NonTransactionalInTransaction, TransactionControlMisuse, DestructiveStatement, Cascade,
        NotNullColumnWithoutDefault, IndexWithoutConcurrently, DownDoesNotReverseUp, MissingIfExists, TemplatePlaceholder,
    ];
}
