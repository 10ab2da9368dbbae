using Migrations.Build.Engine.Integrity;

namespace Migrations.Build.Engine.Tests.Integrity;

/// <summary>Which merge subjects mark a pull of the mainline's remote copy into a local mainline.</summary>
public sealed class FileAgeTests
{
    [Theory]
    [InlineData("Merge branch 'main' of github.com:acme/shop", true)]
    [InlineData("Merge branch 'main' of https://github.com/acme/shop", true)]
    [InlineData("Merge branch 'main' of /srv/git/shop.git into main", true)]
    [InlineData("Merge remote-tracking branch 'origin/main'", true)]
    [InlineData("Merge remote-tracking branch 'upstream/main' into main", true)]
    [InlineData("Merge branch 'main' into agents", false)] // a feature branch catching up
    [InlineData("Merge branch 'main' of github.com:acme/shop into agents", false)]
    [InlineData("Merge branch 'agents'", false)] // a feature merged into main
    [InlineData("Merge branch 'agents' of github.com:acme/shop", false)]
    [InlineData("Merge pull request #12 from acme/agents", false)]
    [InlineData("Merge remote-tracking branch 'origin/agents'", false)]
    [InlineData("Merge remote-tracking branch 'origin/mainline'", false)]
    [InlineData("Merge branch 'main-old' of github.com:acme/shop", false)]
    public void A_pull_is_a_merge_of_the_same_branch_from_a_remote(string subject, bool isPull) =>
        Assert.Equal(isPull, FileAge.IsPullOf(subject, "main"));
}
