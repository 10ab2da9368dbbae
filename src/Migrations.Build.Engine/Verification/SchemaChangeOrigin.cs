namespace Migrations.Build.Engine.Verification;

/// <summary>Which script of an up/down round trip made a <see cref="SchemaChange"/>, found from the snapshot taken between them.</summary>
public enum SchemaChangeOrigin
{
    /// <summary>Only the snapshots before the up and after the down were compared.</summary>
    Unknown,

    /// <summary>The up made the change and the down did not undo it.</summary>
    Up,

    /// <summary>The up left the object as it was; the down made the change.</summary>
    Down,
}
