using System.Diagnostics;
using System.Globalization;

namespace Migrations.Build.Engine.Integrity;

/// <summary>
/// When a migration file arrived: the time of the git commit that added it, or, for a file git does not
/// have (not committed yet, or no repository), its modification time. Uncommitted files count as newer
/// than any committed one: they are what a merge or a local change just brought.
/// </summary>
public sealed record FileAge(string Path, DateTimeOffset When, bool Committed)
{
    public string Describe() => Committed
        ? $"added in a git commit of {When.UtcDateTime:yyyy-MM-dd HH:mm} UTC"
        : $"not committed yet, modified {When.UtcDateTime:yyyy-MM-dd HH:mm} UTC";

    /// <summary>Orders oldest first: committed before uncommitted, then by time, then by name.</summary>
    public static IComparer<FileAge> OldestFirst { get; } = Comparer<FileAge>.Create((a, b) =>
        a.Committed != b.Committed ? (a.Committed ? -1 : 1)
        : a.When != b.When ? a.When.CompareTo(b.When)
        : string.CompareOrdinal(a.Path, b.Path));

    public static FileAge Of(string path)
    {
        var added = GitAddedAt(path);
        return added is { } when
            ? new FileAge(path, when, Committed: true)
            : new FileAge(path, File.GetLastWriteTimeUtc(path), Committed: false);
    }

    private static DateTimeOffset? GitAddedAt(string path)
    {
        try
        {
            var start = new ProcessStartInfo("git")
            {
                WorkingDirectory = System.IO.Path.GetDirectoryName(path)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // --all: during a merge the other branch's commits are not in HEAD's history yet. The earliest add counts.
            foreach (var arg in new[] { "log", "--all", "--diff-filter=A", "--format=%ct", "--", System.IO.Path.GetFileName(path) }) start.ArgumentList.Add(arg);
            using var git = Process.Start(start);
            if (git is null) return null;
            var output = git.StandardOutput.ReadToEnd();
            git.StandardError.ReadToEnd();
            if (!git.WaitForExit(10_000)) { git.Kill(); return null; }
            if (git.ExitCode != 0) return null;
            long? earliest = null;
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (long.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && (earliest is null || seconds < earliest)) earliest = seconds;
            }
            return earliest is null ? null : DateTimeOffset.FromUnixTimeSeconds(earliest.Value);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine
        }
    }
}
