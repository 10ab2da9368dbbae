namespace Migrations.Build.Engine.Linting;

/// <summary>
/// An object an up script creates, for MIG116, with what it depends on: PostgreSQL drops an index or trigger
/// with its table, a sequence with the column that owns it, a partition with its parent. Renames later in the up
/// script update <see cref="Name"/> and the tables it refers to.
/// </summary>
internal sealed class CreatedObject(StatementInfo statement, SqlObjectKind kind, SqlObjectName name)
{
    /// <summary>The CREATE statement.</summary>
    public StatementInfo Statement { get; } = statement;

    public SqlObjectKind Kind { get; } = kind;

    public SqlObjectName Name { get; set; } = name;

    /// <summary>The ON table of an index or trigger.</summary>
    public SqlObjectName? Table { get; set; } = kind is SqlObjectKind.Index or SqlObjectKind.Trigger ? statement.Table : null;

    /// <summary>The parent of a partition or an inheriting table.</summary>
    public SqlObjectName? ParentTable { get; set; } = statement.ParentTable;

    /// <summary>The column that owns a sequence (CREATE/ALTER SEQUENCE ... OWNED BY).</summary>
    public (SqlObjectName Table, string Column)? OwnedBy { get; set; } = statement.OwnedBy;

    /// <summary>Follows <c>ALTER ... RENAME TO</c> of this object or of a table it refers to.</summary>
    public void Rename(SqlObjectKind kind, SqlObjectName from, SqlObjectName to)
    {
        if (DownScriptReversal.SameFamily(kind, Kind) && Name.Matches(from)) Name = to;
        if (!IsRelation(kind)) return;
        if (Table is { } table && table.Matches(from)) Table = to;
        if (ParentTable is { } parent && parent.Matches(from)) ParentTable = to;
        if (OwnedBy is { } owner && owner.Table.Matches(from)) OwnedBy = (to, owner.Column);
    }

    /// <summary>Kinds in pg_class, which ALTER TABLE can rename too.</summary>
    public static bool IsRelation(SqlObjectKind kind) =>
        kind is SqlObjectKind.Table or SqlObjectKind.View or SqlObjectKind.MaterializedView or SqlObjectKind.Index or SqlObjectKind.Sequence;

    public override string ToString() => $"{Kind} {Name}";
}
