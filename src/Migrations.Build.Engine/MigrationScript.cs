using System.Security.Cryptography;
using System.Text;

namespace Migrations.Build.Engine;

/// <summary>
/// One migration file on disk: its parsed name and its content, read once.
/// <see cref="Text"/> is null when the file is not valid UTF-8 (then <see cref="InvalidUtf8At"/> says where).
/// </summary>
public sealed class MigrationScript
{
    private MigrationScript(string path, MigrationFileName name, byte[] bytes, string? text, TextPosition? invalidAt)
    {
        Path = path;
        Name = name;
        Bytes = bytes;
        Text = text;
        InvalidUtf8At = invalidAt;
    }

    public string Path { get; }
    public MigrationFileName Name { get; }
    public string FileName => System.IO.Path.GetFileName(Path);
    public byte[] Bytes { get; }
    public string? Text { get; }
    public TextPosition? InvalidUtf8At { get; }

    public bool IsBlank => Text is not null && string.IsNullOrWhiteSpace(Text);

    /// <summary>
    /// SHA-256, lower-case hex, of the text without BOM and with LF line endings: what the history table
    /// records. Normalised so that a checkout with CRLF (git autocrlf) is not an "edited" migration.
    /// </summary>
    public string Checksum => _checksum ??= Convert.ToHexString(
        SHA256.HashData(Text is null ? Bytes : Encoding.UTF8.GetBytes(Text.Replace("\r\n", "\n")))).ToLowerInvariant();

    private string? _checksum;

    public static MigrationScript Read(string path, MigrationFileName name)
    {
        var bytes = File.ReadAllBytes(path);
        var body = bytes.AsSpan();
        if (body.StartsWith(Encoding.UTF8.Preamble)) body = body[3..];

        var chars = new char[body.Length];
        var status = System.Text.Unicode.Utf8.ToUtf16(body, chars, out var bytesRead, out var charsWritten, replaceInvalidSequences: false);
        if (status != System.Buffers.OperationStatus.Done)
        {
            var offset = bytes.Length - body.Length + bytesRead;
            return new MigrationScript(path, name, bytes, null, TextPosition.FromByteOffset(bytes, offset));
        }

        return new MigrationScript(path, name, bytes, new string(chars, 0, charsWritten), null);
    }
}
