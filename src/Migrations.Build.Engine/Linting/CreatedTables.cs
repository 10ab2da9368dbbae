namespace Migrations.Build.Engine.Linting;

/// <summary>
/// The tables (and materialized views) a script has created so far. They are new and empty, so locking,
/// filling and dropping them carry none of the risks the rules warn about for existing tables.
/// </summary>
internal sealed class CreatedTables
{
    private List<SqlObjectName>? _names;

    /// <summary>Call after checking a statement, so a statement is never excused by itself.</summary>
    public void Observe(StatementInfo info)
    {
        if (info.Kind == StatementKind.Create && info.ObjectKind is SqlObjectKind.Table or SqlObjectKind.MaterializedView && info.Names.Count > 0)
            (_names ??= []).Add(info.Names[0]);
    }

    public bool Contains(SqlObjectName name)
    {
        if (_names is null) return false;
        foreach (var created in _names)
            if (created.Matches(name)) return true;
        return false;
    }

    /// <summary>DROP TABLE of tables that are all new: no data existed before the migration.</summary>
    public bool DropsOnlyNew(StatementInfo info)
    {
        if (info.Kind != StatementKind.Drop || info.ObjectKind != SqlObjectKind.Table || _names is null) return false;
        foreach (var name in info.Names)
            if (!Contains(name)) return false;
        return true;
    }
}
