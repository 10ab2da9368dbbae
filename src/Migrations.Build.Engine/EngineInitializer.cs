using System.Runtime.CompilerServices;

namespace Migrations.Build.Engine;

internal static class EngineInitializer
{
    /// <summary>
    /// Npgsql reads this switch once, at its first use in the process: set it before any engine code can touch
    /// Npgsql, so every statement goes to the server exactly as the splitter cut it (error positions then map
    /// back to the file, and a BEGIN ATOMIC body's semicolons are not taken for statement ends). The switch is
    /// process-wide; the engine sends one statement per command, which is all it needs.
    /// </summary>
    // A library module initializer is exactly what is needed here: the switch must precede any caller's first Npgsql use.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => AppContext.SetSwitch("Npgsql.EnableSqlRewriting", false);
}
