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
/// One exception to first parents: a merge of the mainline's own remote copy into a local mainline (what
/// <c>git pull</c> without rebase commits, "Merge branch 'main' of …", then pushes) puts the local commits
/// first and the ones already pushed, maybe deployed, second. There the mainline goes on through the second parent.
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
        if (Mainline(directory) is { } mainline && Arrival(directory, mainline, BranchName(mainline), name) is { } arrived)
        {
            return new FileAge(path, arrived, Origin.Mainline);
        }
        // --all: during a merge the other side's commits are not in HEAD's history yet.
        return EarliestAdd(directory, ["--all"], name) is { } added
            ? new FileAge(path, added, Origin.Branch)
            : new FileAge(path, File.GetLastWriteTimeUtc(path), Origin.Uncommitted);
    }

    /// <summary>origin's default branch, else a local main or master; null outside a repository or without one.</summary>
    internal static string? Mainline(string directory)
    {
        var candidates = new List<string>();
        if (Git(directory, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD") is { Length: > 0 } remoteHead) candidates.Add(remoteHead.Trim());
        candidates.AddRange(["refs/heads/main", "refs/heads/master"]);
        // origin/HEAD can name a branch that is gone (the default branch was renamed): take the first that resolves.
        return candidates.FirstOrDefault(branch => Git(directory, "rev-parse", "--verify", "--quiet", branch + "^{commit}") is { Length: > 0 });
    }

    /// <summary>When the file reached the mainline that ends at <paramref name="tip"/>, following first parents except through pulls.</summary>
    private static DateTimeOffset? Arrival(string directory, string tip, string branch, string fileName, int depth = 0)
    {
        var pull = depth < MaxPulls ? LatestPull(directory, tip, branch) : null;
        if (pull is null)
        {
            // -m with --first-parent: a merge counts as adding what it brought in from the merged branch.
            return EarliestAdd(directory, [tip, "--first-parent", "-m"], fileName);
        }
        // Before the pull, the mainline is what had been pushed: its second parent.
        if (Git(directory, "cat-file", "-e", $"{pull.Value.Pushed}:./{fileName}") is not null)
        {
            return Arrival(directory, pull.Value.Pushed, branch, fileName, depth + 1);
        }
        // The pull brought it in from the local side; or a commit after the pull added it.
        if (Git(directory, "cat-file", "-e", $"{pull.Value.Merge}:./{fileName}") is not null) return pull.Value.When;
        return EarliestAdd(directory, [$"{pull.Value.Merge}..{tip}", "--first-parent", "-m"], fileName);
    }

    /// <summary>Pull merges followed, at most: each costs a git call, and real histories have few on their mainline.</summary>
    private const int MaxPulls = 20;

    /// <summary>The newest merge on <paramref name="tip"/>'s first parents that merged the branch's remote copy into it.</summary>
    private static (string Merge, string Pushed, DateTimeOffset When)? LatestPull(string directory, string tip, string branch)
    {
        var merges = Git(directory, "log", tip, "--first-parent", "--merges", "--format=%H %P %ct %s") ?? "";
        foreach (var line in merges.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', 5);
            if (fields.Length == 5 && IsPullOf(fields[4], branch) &&
                long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return (fields[0], fields[2], DateTimeOffset.FromUnixTimeSeconds(seconds));
            }
        }
        return null;
    }

    /// <summary>
    /// git's own subject for merging a branch's remote copy into that branch: "Merge branch 'main' of &lt;url&gt;"
    /// (git pull) or "Merge remote-tracking branch 'origin/main'" (git merge origin/main), " into main" optional.
    /// </summary>
    internal static bool IsPullOf(string subject, string branch)
    {
        var into = " into " + branch;
        if (subject.EndsWith(into, StringComparison.Ordinal)) subject = subject[..^into.Length];
        if (subject.Contains(" into ", StringComparison.Ordinal)) return false;
        return subject.StartsWith($"Merge branch '{branch}' of ", StringComparison.Ordinal)
            || (subject.StartsWith("Merge remote-tracking branch '", StringComparison.Ordinal) && subject.EndsWith($"/{branch}'", StringComparison.Ordinal));
    }

    /// <summary>The branch's own name: refs/remotes/origin/main and refs/heads/main are both "main".</summary>
    private static string BranchName(string reference) =>
        reference.StartsWith("refs/remotes/", StringComparison.Ordinal) ? reference["refs/remotes/".Length..].Split('/', 2)[^1]
        : reference.StartsWith("refs/heads/", StringComparison.Ordinal) ? reference["refs/heads/".Length..]
        : reference;

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
    internal static string? Git(string directory, params string[] args)
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
