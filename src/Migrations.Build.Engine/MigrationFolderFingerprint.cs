using System.Security.Cryptography;
using System.Text;

namespace Migrations.Build.Engine;

/// <summary>
/// A hash of what validation depends on: each .sql file's (and migrations.sum's) name, size and
/// modification time, plus the settings. Cheap (no file is read), so the build can tell "nothing changed" without handing MSBuild
/// thousands of items.
/// </summary>
public static class MigrationFolderFingerprint
{
    public static string Compute(string directory, string settings)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, settings);
        if (Directory.Exists(directory))
        {
            var files = new DirectoryInfo(directory)
                .EnumerateFiles("*.sql", new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive })
                .Select(f => (f.Name, f.Length, f.LastWriteTimeUtc.Ticks))
                .ToList();
            files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var (name, length, ticks) in files) Append(hash, $"{name}\t{length}\t{ticks}");
            var sum = new FileInfo(Integrity.MigrationSum.PathIn(directory));
            if (sum.Exists) Append(hash, $"{sum.Name}\t{sum.Length}\t{sum.LastWriteTimeUtc.Ticks}");
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>Writes the fingerprint only when it differs, so the file's time marks the last real change.</summary>
    public static bool WriteIfChanged(string path, string fingerprint)
    {
        if (File.Exists(path) && File.ReadAllText(path) == fingerprint) return false;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, fingerprint);
        return true;
    }

    private static void Append(IncrementalHash hash, string line) => hash.AppendData(Encoding.UTF8.GetBytes(line + "\n"));
}
