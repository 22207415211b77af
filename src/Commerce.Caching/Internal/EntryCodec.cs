using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;

namespace Commerce.Caching.Internal;

/// <summary>
/// The byte layout of an entry in Redis: a versioned header and the serializer's bytes. The write version sits at a
/// fixed place as ASCII digits so <c>write.lua</c> can compare versions without decoding the rest.
/// <code>
/// [1] format = 2   [1] flags (bit 0: fail-safe, bit 1: tombstone)   [16] version, ASCII digits
/// [8] created   [8] fresh until   [8] scope generation   [8] global generation   (UTC ticks, little-endian)
/// [1] tag count, then per tag: [2] UTF-8 length, name, [8] generation
/// payload
/// </code>
/// </summary>
internal static class EntryCodec
{
    public const byte Format = 2;
    private const int VersionOffset = 2;
    private const int VersionLength = 16;
    private const int TimesOffset = VersionOffset + VersionLength;
    private const int FixedHeader = TimesOffset + (4 * 8) + 1;

    public static byte[] Encode(in EntryHeader header, ReadOnlySpan<byte> payload)
    {
        var tags = header.Tags;
        var size = FixedHeader + payload.Length;
        foreach (var (name, _) in tags)
        {
            size += 2 + Encoding.UTF8.GetByteCount(name) + 8;
        }

        var bytes = new byte[size];
        var span = bytes.AsSpan();
        span[0] = Format;
        span[1] = (byte)((header.FailSafe ? 1 : 0) | (header.Tombstone ? 2 : 0));
        WriteVersion(span.Slice(VersionOffset, VersionLength), header.Version);
        BinaryPrimitives.WriteInt64LittleEndian(span[TimesOffset..], header.CreatedAt);
        BinaryPrimitives.WriteInt64LittleEndian(span[(TimesOffset + 8)..], header.FreshUntil);
        BinaryPrimitives.WriteInt64LittleEndian(span[(TimesOffset + 16)..], header.ScopeGeneration);
        BinaryPrimitives.WriteInt64LittleEndian(span[(TimesOffset + 24)..], header.GlobalGeneration);
        span[TimesOffset + 32] = checked((byte)tags.Length);
        var offset = FixedHeader;
        foreach (var (name, generation) in tags)
        {
            var length = Encoding.UTF8.GetBytes(name, span[(offset + 2)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(span[offset..], checked((ushort)length));
            BinaryPrimitives.WriteInt64LittleEndian(span[(offset + 2 + length)..], generation);
            offset += 2 + length + 8;
        }

        payload.CopyTo(span[offset..]);
        return bytes;
    }

    public static bool TryDecode(ReadOnlyMemory<byte> data, out EntryHeader header, out ReadOnlyMemory<byte> payload)
    {
        header = default;
        payload = default;
        var span = data.Span;
        if (span.Length < FixedHeader || span[0] != Format
            || !Utf8Parser.TryParse(span.Slice(VersionOffset, VersionLength), out long version, out var consumed) || consumed != VersionLength)
        {
            return false;
        }

        var tagCount = span[TimesOffset + 32];
        var tags = tagCount == 0 ? [] : new KeyValuePair<string, long>[tagCount];
        var offset = FixedHeader;
        for (var i = 0; i < tagCount; i++)
        {
            if (span.Length < offset + 2)
            {
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);
            if (span.Length < offset + 2 + length + 8)
            {
                return false;
            }

            var name = Encoding.UTF8.GetString(span.Slice(offset + 2, length));
            tags[i] = new KeyValuePair<string, long>(name, BinaryPrimitives.ReadInt64LittleEndian(span[(offset + 2 + length)..]));
            offset += 2 + length + 8;
        }

        header = new EntryHeader(
            Version: version,
            CreatedAt: BinaryPrimitives.ReadInt64LittleEndian(span[TimesOffset..]),
            FreshUntil: BinaryPrimitives.ReadInt64LittleEndian(span[(TimesOffset + 8)..]),
            ScopeGeneration: BinaryPrimitives.ReadInt64LittleEndian(span[(TimesOffset + 16)..]),
            GlobalGeneration: BinaryPrimitives.ReadInt64LittleEndian(span[(TimesOffset + 24)..]),
            FailSafe: (span[1] & 1) != 0,
            Tombstone: (span[1] & 2) != 0,
            Tags: tags);
        payload = data[offset..];
        return true;
    }

    private static void WriteVersion(Span<byte> target, long version)
    {
        if (!Utf8Formatter.TryFormat(version, target, out var written, new System.Buffers.StandardFormat('D', VersionLength)) || written != VersionLength)
        {
            throw new InvalidOperationException($"Write version {version} does not fit {VersionLength} digits.");
        }
    }
}
