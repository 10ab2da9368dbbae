namespace Migrations.Build.Engine.Linting;

/// <summary>The kind of object a CREATE, DROP or ALTER statement names.</summary>
public enum SqlObjectKind
{
    /// <summary>The statement names no object kind (DELETE, BEGIN, ...).</summary>
    None,

    Table,
    Index,
    Type,
    Schema,
    Function,
    Procedure,
    View,
    MaterializedView,
    Sequence,
    Extension,
    Trigger,
    Database,
    Tablespace,

    /// <summary>ALTER SYSTEM.</summary>
    System,

    /// <summary>A kind the linter does not track: DOMAIN, POLICY, ROLE, ...</summary>
    Other,
}
