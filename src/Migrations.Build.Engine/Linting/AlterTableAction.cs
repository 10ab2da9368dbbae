using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Linting;

/// <summary>
/// One comma-separated subcommand of an ALTER TABLE statement. <see cref="Column"/> is the normalised column
/// name for column subcommands. For ADD COLUMN the flags say whether the new column must be filled on
/// existing rows (<see cref="NotNull"/>) and whether PostgreSQL has a value to fill it with.
/// </summary>
public sealed record AlterTableAction(AlterTableActionKind Kind, SqlToken FirstToken)
{
    public string? Column { get; init; }
    public bool IfExists { get; init; }
    public bool IfNotExists { get; init; }

    /// <summary>NOT NULL or PRIMARY KEY on the added column.</summary>
    public bool NotNull { get; init; }

    /// <summary>The NOT (of NOT NULL) or PRIMARY token, for pointing at it.</summary>
    public SqlToken? NotNullToken { get; init; }

    /// <summary>A DEFAULT clause, or a serial type (its default is nextval).</summary>
    public bool HasDefault { get; init; }

    /// <summary>GENERATED ... AS IDENTITY or GENERATED ALWAYS AS (...) STORED: PostgreSQL computes the values.</summary>
    public bool IsGenerated { get; init; }

    /// <summary>An added column that existing rows cannot get a value for: fails on a table with rows.</summary>
    public bool AddsNotNullWithoutValue => Kind == AlterTableActionKind.AddColumn && NotNull && !HasDefault && !IsGenerated;
}
