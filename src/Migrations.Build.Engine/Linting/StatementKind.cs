namespace Migrations.Build.Engine.Linting;

/// <summary>What a statement does, from its leading keywords (after any WITH clause).</summary>
public enum StatementKind
{
    /// <summary>Anything the linter has no rule for: SELECT, GRANT, COMMENT ON, ...</summary>
    Other,

    /// <summary>BEGIN, START TRANSACTION.</summary>
    Begin,

    /// <summary>COMMIT, END (not COMMIT PREPARED).</summary>
    Commit,

    /// <summary>ROLLBACK, ABORT (not ROLLBACK PREPARED).</summary>
    Rollback,

    Create,
    Drop,
    Alter,
    Truncate,
    Delete,
    Update,
    Insert,
    Reindex,
    Vacuum,
}
