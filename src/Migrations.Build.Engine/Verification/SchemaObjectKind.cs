namespace Migrations.Build.Engine.Verification;

/// <summary>What a <see cref="SchemaEntry"/> describes. The order is the order of reports: containers before their contents.</summary>
public enum SchemaObjectKind
{
    Schema,
    Extension,
    Type,
    Domain,
    Sequence,
    Table,
    ForeignTable,
    Column,
    Constraint,
    Index,
    View,
    MaterializedView,
    Function,
    Procedure,
    Aggregate,
    Trigger,
    Policy,
    Rule,
}
