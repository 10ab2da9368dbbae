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
        var width = MostCommonPaddedWidth(migrations);
        if (width == 0) return;

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

    /// <summary>The most common width of the padded versions (the wider on a tie), 0 when none is padded.
    /// Counted in an array: LINQ's grouping by an int is JIT-compiled in every fresh build process.</summary>
    private static int MostCommonPaddedWidth(IReadOnlyList<Migration> migrations)
    {
        var widest = 0;
        foreach (var migration in migrations) widest = Math.Max(widest, migration.VersionText.Length);
        var counts = new int[widest + 1];
        foreach (var migration in migrations)
        {
            if (migration.VersionText.StartsWith('0')) counts[migration.VersionText.Length]++;
        }
        var width = 0;
        for (var candidate = 1; candidate < counts.Length; candidate++)
        {
            if (counts[candidate] > 0 && counts[candidate] >= counts[width]) width = candidate;
        }
        return width;
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
