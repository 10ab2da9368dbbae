namespace Migrations.Build.Engine.Linting;

/// <summary>One subcommand of ALTER TABLE, as far as the lint rules care.</summary>
public enum AlterTableActionKind
{
    Other,

    /// <summary><c>ADD [COLUMN] name type ...</c>.</summary>
    AddColumn,

    /// <summary><c>DROP [COLUMN] name</c>.</summary>
    DropColumn,

    /// <summary><c>ADD CONSTRAINT ...</c> or a table constraint without a name (PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY, EXCLUDE).</summary>
    AddConstraint,

    DropConstraint,

    /// <summary><c>ALTER [COLUMN] name SET NOT NULL</c>.</summary>
    SetNotNull,

    /// <summary><c>ALTER [COLUMN] name [SET DATA] TYPE ...</c>.</summary>
    AlterColumnType,

    /// <summary>Any other <c>ALTER [COLUMN] name ...</c> (SET DEFAULT, DROP NOT NULL, ...).</summary>
    AlterColumn,
}
