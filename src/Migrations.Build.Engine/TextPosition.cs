namespace Migrations.Build.Engine;

/// <summary>1-based line and column of a character offset, the way editors and MSBuild count them.</summary>
public readonly record struct TextPosition(int Line, int Column)
{
    public static TextPosition Start { get; } = new(1, 1);

    /// <summary>Counts '\n' line breaks, so CRLF files give the same lines as LF files.</summary>
    public static TextPosition FromOffset(ReadOnlySpan<char> text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        var before = text[..offset];
        var line = 1 + before.Count('\n');
        var lineStart = before.LastIndexOf('\n') + 1;
        return new TextPosition(line, offset - lineStart + 1);
    }

    /// <summary>Same, over raw bytes: the column counts bytes, which equals characters for ASCII lines.</summary>
    public static TextPosition FromByteOffset(ReadOnlySpan<byte> bytes, int offset)
    {
        offset = Math.Clamp(offset, 0, bytes.Length);
        var before = bytes[..offset];
        var line = 1 + before.Count((byte)'\n');
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return new TextPosition(line, offset - lineStart + 1);
    }
}
