using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Linting;

/// <summary>A statement that destroys data, where it is, and what it destroys ("DROP TABLE users").</summary>
public sealed record DestructiveStatement(string FilePath, int Line, int Column, string Description, SqlStatement Statement)
{
    public override string ToString() => $"{FilePath}({Line},{Column}): {Description}";
}
