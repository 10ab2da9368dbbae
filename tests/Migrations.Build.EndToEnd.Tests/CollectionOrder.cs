using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Migrations.Build.EndToEnd.Tests.LongestCollectionsFirst", "Migrations.Build.EndToEnd.Tests")]

namespace Migrations.Build.EndToEnd.Tests;

/// <summary>
/// Starts the longest collections first. xunit runs as many collections at once as the machine has cores and
/// starts the next when one ends: a long collection started last would run on alone while the other cores idle.
/// </summary>
public sealed class LongestCollectionsFirst : ITestCollectionOrderer
{
    // Longest first, by summed test durations on a 2-core machine (seconds, before the compiler server).
    // Unlisted collections go last.
    private static readonly string[] Order =
    [
        ApplyCollection.Name, // 159
        ApplyCommandCollection.Name, // 137
        ValidationCollection.Name, // 141
        PackageCollection.Name, // 114
        IntegrityCollection.Name, // 100
        ConnectionCollection.Name, // 91
        DatabaseCollection.Name, // 53
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(collection => Array.IndexOf(Order, collection.DisplayName) is var i and >= 0 ? i : Order.Length)
            .ThenBy(collection => collection.DisplayName, StringComparer.Ordinal);
}
