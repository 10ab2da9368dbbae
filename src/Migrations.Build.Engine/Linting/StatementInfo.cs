using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Linting;

/// <summary>
/// What <see cref="StatementClassifier"/> found out about one statement: its kind, the objects it targets
/// and the properties the lint rules and the runner's destructive-statement gate look at.
/// </summary>
public sealed class StatementInfo
{
    internal StatementInfo(SqlStatement statement) => Statement = statement;

    public SqlStatement Statement { get; }

    public StatementKind Kind { get; internal set; }

    /// <summary>For CREATE, DROP and ALTER: the kind of object; <see cref="SqlObjectKind.None"/> otherwise.</summary>
    public SqlObjectKind ObjectKind { get; internal set; }

    /// <summary>
    /// The objects created, dropped, altered or written: every name of <c>DROP TABLE a, b</c> or <c>TRUNCATE a, b</c>;
    /// the index of CREATE INDEX (none when it is unnamed); the table of ALTER TABLE, DELETE, UPDATE and INSERT.
    /// </summary>
    public IReadOnlyList<SqlObjectName> Names { get; internal set; } = [];

    /// <summary>The table the statement works on: the ON table of CREATE INDEX and CREATE/DROP TRIGGER, else the first table in <see cref="Names"/>.</summary>
    public SqlObjectName? Table { get; internal set; }

    /// <summary>CREATE TABLE ... PARTITION OF parent or INHERITS (parent, ...): the (first) parent table.</summary>
    public SqlObjectName? ParentTable { get; internal set; }

    /// <summary>CREATE TABLE ... PARTITION OF: the partition goes when its parent is dropped, CASCADE or not.</summary>
    public bool IsPartition { get; internal set; }

    /// <summary>CREATE/ALTER SEQUENCE ... OWNED BY table.column: the sequence goes when that column or table is dropped.</summary>
    public (SqlObjectName Table, string Column)? OwnedBy { get; internal set; }

    /// <summary>ALTER ... RENAME TO: the object's new name (in the same schema).</summary>
    public SqlObjectName? RenamedTo { get; internal set; }

    /// <summary>The subcommands of ALTER TABLE, in order.</summary>
    public IReadOnlyList<AlterTableAction> AlterTableActions { get; internal set; } = [];

    public bool Concurrently { get; internal set; }
    public bool IfExists { get; internal set; }
    public bool IfNotExists { get; internal set; }
    public bool OrReplace { get; internal set; }

    /// <summary>CREATE TEMP/TEMPORARY: the object goes away with the session.</summary>
    public bool Temporary { get; internal set; }

    /// <summary>CASCADE on a DROP, on TRUNCATE, or on a DROP subcommand of ALTER (not ON DELETE CASCADE).</summary>
    public bool Cascade { get; internal set; }

    public SqlToken? CascadeToken { get; internal set; }

    /// <summary>DELETE or UPDATE with a WHERE of its own, not just one inside a subquery.</summary>
    public bool HasWhere { get; internal set; }

    /// <summary>PostgreSQL refuses the statement inside a transaction block.</summary>
    public bool CannotRunInTransaction => NonTransactionalCommand is not null;

    /// <summary>The command as PostgreSQL's error names it, such as "CREATE INDEX CONCURRENTLY"; null when it can run in a transaction.</summary>
    public string? NonTransactionalCommand { get; internal set; }

    /// <summary>The token that makes it non-transactional (CONCURRENTLY, VACUUM, ...).</summary>
    public SqlToken? NonTransactionalToken { get; internal set; }

    /// <summary>What the statement destroys, such as "DROP TABLE users" or "DELETE FROM audit without WHERE"; null when it destroys nothing.</summary>
    public string? DestructiveDescription { get; internal set; }

    public bool IsDestructive => DestructiveDescription is not null;

    public bool IsTransactionControl => Kind is StatementKind.Begin or StatementKind.Commit or StatementKind.Rollback;

    public override string ToString() => $"{Kind} {ObjectKind} {string.Join(", ", Names)}";
}
