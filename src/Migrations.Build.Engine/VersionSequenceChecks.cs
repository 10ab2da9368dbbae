namespace Migrations.Build.Engine;

/// <summary>Checks that only make sense for sequence numbers: consistent zero-padding and no gaps.</summary>
internal static class VersionSequenceChecks
{
    /// <summary>
    /// A folder is padded when any version has a leading zero; its width is the most common width of the
    /// padded versions. A version narrower than that, or padded to another width, breaks name ordering.
    /// A wider version without leading zeros (1000 after 999) has simply outgrown the padding: not flagged.
    /// </summary>
    public static void CheckPadding(IReadOnlyList<Migration> migrations, List<MigrationDiagnostic> diagnostics)
    {
        var padded = migrations.Where(m => m.VersionText.StartsWith('0')).ToList();
        if (padded.Count == 0) return;

        var width = padded
            .GroupBy(m => m.VersionText.Length)
            .OrderByDescending(g => g.Count())
            .ThenByDescending(g => g.Key)
            .First().Key;

        foreach (var migration in migrations)
        {
            var text = migration.VersionText;
            if (text.Length == width || (text.Length > width && !text.StartsWith('0'))) continue;
            var expected = migration.Version.ToString().PadLeft(width, '0');
            diagnostics.Add(MigrationSetLoader.AtFileStart(migration.PrimaryScript.Path, DiagnosticCodes.InconsistentPadding, DiagnosticSeverity.Warning,
                $"version '{text}' is {text.Length} digits wide but this folder pads versions to {width} digits: " +
                $"rename it to '{expected}_{migration.Name}'"));
        }
    }

    public static void CheckGaps(IReadOnlyList<Migration> migrations, List<MigrationDiagnostic> diagnostics)
    {
        for (var i = 1; i < migrations.Count; i++)
        {
            var previous = migrations[i - 1].Version;
            var current = migrations[i].Version;
            if (current - previous <= 1) continue;
            var missing = current - previous == 2 ? $"{previous + 1} is" : $"{previous + 1} to {current - 1} are";
            diagnostics.Add(MigrationSetLoader.AtFileStart(migrations[i].PrimaryScript.Path, DiagnosticCodes.VersionGap, DiagnosticSeverity.Warning,
                $"versions jump from {previous} to {current}: {missing} missing. Renumber this migration if it was not applied anywhere yet, " +
                "or suppress MIG007 if the gap is deliberate"));
        }
    }
}
