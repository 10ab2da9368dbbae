namespace Migrations.Build.Engine.Linting;

/// <summary>
/// What a script's DROP statements (and ALTER TABLE ... DROP COLUMN) take away, as PostgreSQL does it, for MIG116:
/// the objects they name, the objects in a dropped schema, and the created objects that depend on either:
/// <list type="bullet">
/// <item>without CASCADE, what PostgreSQL drops along on its own: an index or trigger with its table (or materialized
/// view), an index with a column it covers, a sequence with its owning column or table, a partition with its parent;</item>
/// <item>with CASCADE, also every created view, materialized view, routine, index or trigger whose statement mentions a
/// dropped object's name, and so on down the chain (an index on a materialized view on a table dropped with CASCADE).</item>
/// </list>
/// The mention test over-approximates the real dependencies on purpose: MIG116 may miss a leftover, but what it
/// reports must be one that MigrateVerify finds too.
/// </summary>
internal sealed class DroppedObjects
{
    private readonly List<(SqlObjectKind Kind, SqlObjectName Name)> _dropped = [];
    private readonly List<string> _schemas = [];
    private readonly List<(SqlObjectName Table, string Column)> _columns = [];

    // Objects whose dependents CASCADE took along too. For a dropped column: its table, and the column's name.
    private readonly List<(SqlObjectName Name, string? Column)> _cascadeSources = [];

    public bool IsEmpty => _dropped.Count == 0 && _schemas.Count == 0 && _columns.Count == 0;

    /// <summary>Takes in one statement; only DROP and ALTER TABLE ... DROP COLUMN change anything.</summary>
    public void Observe(StatementInfo info)
    {
        if (info.Kind == StatementKind.Drop && info.ObjectKind is not (SqlObjectKind.Other or SqlObjectKind.None))
        {
            foreach (var name in info.Names)
            {
                if (info.ObjectKind == SqlObjectKind.Schema && name.Schema is null) _schemas.Add(name.Name);
                else _dropped.Add((info.ObjectKind, name));
                if (info.Cascade) _cascadeSources.Add((name, null));
            }
        }
        else if (info.Kind == StatementKind.Alter && info.ObjectKind == SqlObjectKind.Table && info.Table is { } table)
        {
            foreach (var action in info.AlterTableActions)
            {
                if (action.Kind != AlterTableActionKind.DropColumn || action.Column is not { } column) continue;
                _columns.Add((table, column));
                if (info.Cascade) _cascadeSources.Add((table, column));
            }
        }
    }

    /// <summary>Which of <paramref name="created"/> go: repeated until nothing more goes, since what goes takes its own dependents along.</summary>
    public bool[] Take(IReadOnlyList<CreatedObject> created)
    {
        var gone = new bool[created.Count];
        if (IsEmpty) return gone;
        for (var changed = true; changed;)
        {
            changed = false;
            for (var i = 0; i < created.Count; i++)
            {
                if (gone[i] || !Goes(created[i])) continue;
                gone[i] = changed = true;
                _dropped.Add((created[i].Kind, created[i].Name));
                if (_cascadeSources.Count > 0) _cascadeSources.Add((created[i].Name, null));
            }
        }

        return gone;
    }

    private bool Goes(CreatedObject o)
    {
        if (IsDropped(o.Kind, o.Name)) return true;
        switch (o.Kind)
        {
            case SqlObjectKind.Index when o.Table is { } table:
                if (IsDropped(SqlObjectKind.Table, table) || IsDropped(SqlObjectKind.MaterializedView, table) || CoversDroppedColumn(o, table)) return true;
                break;
            case SqlObjectKind.Trigger when o.Table is { } table:
                if (IsDropped(SqlObjectKind.Table, table) || IsDropped(SqlObjectKind.View, table) || IsDropped(SqlObjectKind.MaterializedView, table)) return true;
                break;
            case SqlObjectKind.Sequence when o.OwnedBy is { } owner:
                if (IsDropped(SqlObjectKind.Table, owner.Table) || _columns.Exists(c => c.Table.Matches(owner.Table) && c.Column == owner.Column)) return true;
                break;
            case SqlObjectKind.Table when o.ParentTable is { } parent:
                // Inheriting tables go only with CASCADE; partitions always.
                if (o.Statement.IsPartition ? IsDropped(SqlObjectKind.Table, parent) : _cascadeSources.Exists(s => s.Column is null && s.Name.Matches(parent))) return true;
                break;
        }

        return DependsOnCascadeSource(o);
    }

    private bool IsDropped(SqlObjectKind kind, SqlObjectName name)
    {
        if (name.Schema is { } schema ? _schemas.Contains(schema) : kind == SqlObjectKind.Schema && _schemas.Contains(name.Name)) return true;
        foreach (var (droppedKind, dropped) in _dropped)
            if (DownScriptReversal.SameFamily(droppedKind, kind) && dropped.Matches(name)) return true;
        return false;
    }

    /// <summary>PostgreSQL drops an index with any column it covers, in its key, INCLUDE list, expression or predicate.</summary>
    private bool CoversDroppedColumn(CreatedObject index, SqlObjectName table)
    {
        foreach (var (droppedTable, column) in _columns)
        {
            if (!droppedTable.Matches(table)) continue;
            var reader = new TokenReader(index.Statement.Statement);
            if (reader.MentionsIdentifier(0, column)) return true;
        }

        return false;
    }

    /// <summary>
    /// Views, routines, indexes and triggers are what CASCADE takes along; tables, types and sequences only lose a column
    /// or default. A dropped column takes the indexes and triggers that name it (a trigger on the table stays), and the
    /// views and routines that read its table (SELECT * names no column).
    /// </summary>
    private bool DependsOnCascadeSource(CreatedObject o)
    {
        if (_cascadeSources.Count == 0 || o.Kind is not (SqlObjectKind.View or SqlObjectKind.MaterializedView or SqlObjectKind.Function
                or SqlObjectKind.Procedure or SqlObjectKind.Index or SqlObjectKind.Trigger)) return false;
        var reader = new TokenReader(o.Statement.Statement);
        foreach (var (source, column) in _cascadeSources)
        {
            if (source.Matches(o.Name)) continue;
            var named = column is not null && o.Kind is SqlObjectKind.Index or SqlObjectKind.Trigger ? column : source.Name;
            if (reader.MentionsIdentifier(0, named)) return true;
        }

        return false;
    }
}
