namespace Migrations.Build.Engine.Sql;

/// <summary>Something wrong in SQL text, at <paramref name="Offset"/> (UTF-16 index) and its 1-based <paramref name="Position"/>.</summary>
public sealed record SqlProblem(string Code, string Message, int Offset, TextPosition Position);
