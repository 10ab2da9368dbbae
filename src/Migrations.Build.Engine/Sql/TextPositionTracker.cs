namespace Migrations.Build.Engine.Sql;

/// <summary>
/// <see cref="TextPosition.FromOffset"/> for offsets asked in increasing order: it counts lines only since
/// the previous offset, so positioning every statement of a large file stays linear.
/// </summary>
internal sealed class TextPositionTracker(string text)
{
    private int _offset;
    private int _line = 1;
    private int _lineStart;

    public TextPosition At(int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        if (offset < _offset)
        {
            _offset = 0;
            _line = 1;
            _lineStart = 0;
        }

        var passed = text.AsSpan(_offset, offset - _offset);
        var lastBreak = passed.LastIndexOf('\n');
        if (lastBreak >= 0)
        {
            _line += passed.Count('\n');
            _lineStart = _offset + lastBreak + 1;
        }

        _offset = offset;
        return new TextPosition(_line, offset - _lineStart + 1);
    }
}
