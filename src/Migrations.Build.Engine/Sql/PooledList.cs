using System.Buffers;
using System.Runtime.CompilerServices;

namespace Migrations.Build.Engine.Sql;

/// <summary>
/// A growable list whose storage is rented from <see cref="ArrayPool{T}.Shared"/>, for the working lists of one
/// lexing or splitting pass: the pass copies out what it keeps, so each text allocates only its results.
/// A mutable struct: keep it in a local (never a readonly one or a <c>using</c> variable, which would copy it),
/// and call <see cref="Return"/> once at the end.
/// </summary>
internal struct PooledList<T>(int initialCapacity)
{
    private T[] _items = ArrayPool<T>.Shared.Rent(Math.Max(initialCapacity, 16));

    public int Count { get; private set; }

    public readonly T this[int index] => _items[index];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T item)
    {
        if (Count == _items.Length) Grow();
        _items[Count++] = item;
    }

    /// <summary>The items, in an array of exactly <see cref="Count"/> elements that the caller owns.</summary>
    public readonly T[] ToArray() => Count == 0 ? [] : _items.AsSpan(0, Count).ToArray();

    /// <summary>Gives the storage back to the pool; the list must not be used afterwards.</summary>
    public void Return()
    {
        ArrayPool<T>.Shared.Return(_items, RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        _items = [];
        Count = 0;
    }

    private void Grow()
    {
        var larger = ArrayPool<T>.Shared.Rent(_items.Length * 2);
        _items.AsSpan().CopyTo(larger);
        ArrayPool<T>.Shared.Return(_items, RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        _items = larger;
    }
}
