using System.Globalization;

namespace Migrations.Build.Engine.Integrity;

/// <summary>
/// When a migration file arrived, to tell which of two migrations with the same version came second (and
/// should be renumbered). Deployments come from the mainline (origin's default branch, else main or master),
/// so what counts first is when the file arrived there: the commit that added it, or the merge that brought
/// it in, following the mainline's first parents. A commit's own date says little: a feature branch can hold
/// an old commit that reaches the mainline long after a newer one deployed. Files not on the mainline yet (a
/// branch, the incoming side of a merge) come after every mainline file, ordered by the commit that added
/// them; files git does not have (not committed, or no repository) come last, by modification time.
/// </summary>
public sealed record FileAge(string Path, DateTimeOffset When, FileAge.Origin Where)
{
    public enum Origin
    {
        /// <summary>Reached the mainline at <see cref="When"/>.</summary>
        Mainline,

        /// <summary>Committed at <see cref="When"/>, but not (yet) on the mainline.</summary>
        Branch,

        /// <summary>Not committed: <see cref="When"/> is the file's modification time.</summary>
        Uncommitted,
    }

    public string Describe() => Where switch
    {
        Origin.Mainline => $"on the mainline since {When.UtcDateTime:yyyy-MM-dd HH:mm} UTC",
        Origin.Branch => $"added in a git commit of {When.UtcDateTime:yyyy-MM-dd HH:mm} UTC, not on the mainline",
        _ => $"not committed yet, modified {When.UtcDateTime:yyyy-MM-dd HH:mm} UTC",
    };

    /// <summary>Orders oldest first: mainline, then other commits, then uncommitted files; then by time, then by name.</summary>
    public static IComparer<FileAge> OldestFirst { get; } = Comparer<FileAge>.Create((a, b) =>
        a.Where != b.Where ? a.Where.CompareTo(b.Where)
        : a.When != b.When ? a.When.CompareTo(b.When)
        : string.CompareOrdinal(a.Path, b.Path));

    public static FileAge Of(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path)!;
        var name = System.IO.Path.GetFileName(path);
        if (Mainline(directory) is { } mainline &&
            EarliestAdd(directory, [mainline, "--first-parent", "-m"], name) is { } arrived)
        {
            // -m with --first-parent: a merge counts as adding what it brought in from the merged branch.
            return new FileAge(path, arrived, Origin.Mainline);
        }
        // --all: during a merge the other side's commits are not in HEAD's history yet.
        return EarliestAdd(directory, ["--all"], name) is { } added
            ? new FileAge(path, added, Origin.Branch)
            : new FileAge(path, File.GetLastWriteTimeUtc(path), Origin.Uncommitted);
    }

    /// <summary>origin's default branch, else a local main or master; null outside a repository or without one.</summary>
    private static string? Mainline(string directory)
    {
        var candidates = new List<string>();
        if (Git(directory, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD") is { Length: > 0 } remoteHead) candidates.Add(remoteHead.Trim());
        candidates.AddRange(["refs/heads/main", "refs/heads/master"]);
        // origin/HEAD can name a branch that is gone (the default branch was renamed): take the first that resolves.
        return candidates.FirstOrDefault(branch => Git(directory, "rev-parse", "--verify", "--quiet", branch + "^{commit}") is { Length: > 0 });
    }

    private static DateTimeOffset? EarliestAdd(string directory, string[] revisions, string fileName)
    {
        var output = Git(directory, ["log", .. revisions, "--diff-filter=A", "--format=%ct", "--", ":(literal)" + fileName]);
        long? earliest = null;
        foreach (var line in (output ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (long.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && (earliest is null || seconds < earliest)) earliest = seconds;
        }
        return earliest is null ? null : DateTimeOffset.FromUnixTimeSeconds(earliest.Value);
    }

    private static readonly TimeSpan GitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>git's output, or null when git is missing, fails, or hangs.</summary>
    private static string? Git(string directory, params string[] args)
    {
        try
        {
            var result = LocalDatabase.ToolProcess.Run("git", args, GitTimeout, directory);
            return result.Succeeded ? result.StandardOutput : null;
        }
        catch (LocalDatabase.LocalDatabaseException)
        {
            return null; // no git on this machine, or it did not finish in time
        }
    }
}
