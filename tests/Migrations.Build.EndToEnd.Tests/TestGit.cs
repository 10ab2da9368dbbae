namespace Migrations.Build.EndToEnd.Tests;

/// <summary>git in a consumer project's folder, with a fixed identity.</summary>
public static class TestGit
{
    public static void Run(string directory, params string[] args)
    {
        var result = Result(directory, args);
        Assert.True(result.ExitCode == 0, $"git {string.Join(' ', args)}: {result.Output}");
    }

    public static CommandResult Result(string directory, params string[] args) => ProcessRunner.Run("git", directory, new Dictionary<string, string>
    {
        ["GIT_AUTHOR_NAME"] = "Test",
        ["GIT_COMMITTER_NAME"] = "Test",
        ["GIT_AUTHOR_EMAIL"] = "test@example.invalid",
        ["GIT_COMMITTER_EMAIL"] = "test@example.invalid",
    }, args);
}
