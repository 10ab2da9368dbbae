namespace Migrations.Build.Engine;

public enum MigrationFileKind
{
    /// <summary><c>.up.sql</c> of the paired layout.</summary>
    Up,

    /// <summary><c>.down.sql</c> of the paired layout.</summary>
    Down,

    /// <summary>Plain <c>.sql</c> of the forward-only layout.</summary>
    ForwardOnly,
}
