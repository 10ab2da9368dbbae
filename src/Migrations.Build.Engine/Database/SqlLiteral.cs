namespace Migrations.Build.Engine.Database;

/// <summary>
/// A string as a standard SQL literal. Only for values the tool itself builds (validated identifiers, its own
/// messages), where a literal spares a parameter: the first parameterised command of a fresh process costs
/// milliseconds of one-time setup that a nothing-pending run cannot afford.
/// </summary>
public static class SqlLiteral
{
    public static string Quote(string value) => "'" + value.Replace("'", "''") + "'";
}
