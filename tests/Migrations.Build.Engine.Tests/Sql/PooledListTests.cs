using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Tests.Sql;

public sealed class PooledListTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1000)]
    public void Keeps_every_item_in_order_as_it_grows(int count)
    {
        var list = new PooledList<int>(4);
        for (var i = 0; i < count; i++) list.Add(i * 3);

        Assert.Equal(count, list.Count);
        for (var i = 0; i < count; i++) Assert.Equal(i * 3, list[i]);
        Assert.Equal(Enumerable.Range(0, count).Select(i => i * 3), list.ToArray());
        list.Return();
    }

    [Fact]
    public void ToArray_is_a_copy_the_caller_owns()
    {
        var list = new PooledList<string>(1);
        list.Add("a");
        var copy = list.ToArray();
        list.Return();

        var next = new PooledList<string>(1);
        next.Add("b");
        Assert.Equal(["a"], copy);
        next.Return();
    }
}
