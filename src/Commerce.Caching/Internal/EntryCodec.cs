using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;

namespace Commerce.Caching.Internal;

/// <summary>
/// The byte layout of an entry in Redis: a versioned header (times in UTC ticks, generations, tags) and the
/// serializer's bytes.
/// <code>
/// [1] version = 1   [1] flags (bit 0: fail-safe)
/// [8] created   [8] fresh until   [8] scope generation   [8] global generation
/// [1] tag count, then per tag: [2] UTF-8 length, name, [8] generation
/// payload
/// </code>
/// </summary>
internal static class EntryCodec
{
    private const byte Version = 1;
    private const int FixedHeader = 2 + (4 * 8) + 1;

    public static byte[] Encode<T>(T value, IHybridCacheSerializer<T> serializer, in EntryHeader header)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        var tags = header.Tags;
        var span = writer.GetSpan(FixedHeader);
        span[0] = Version;
        span[1] = header.FailSafe ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(span[2..], header.CreatedAt);
        BinaryPrimitives.WriteInt64LittleEndian(span[10..], header.FreshUntil);
        BinaryPrimitives.WriteInt64LittleEndian(span[18..], header.ScopeGeneration);
        BinaryPrimitives.WriteInt64LittleEndian(span[26..], header.GlobalGeneration);
        span[34] = checked((byte)tags.Length);
        writer.Advance(FixedHeader);
        foreach (var (name, generation) in tags)
        {
            var length = Encoding.UTF8.GetByteCount(name);
            var tagSpan = writer.GetSpan(2 + length + 8);
            BinaryPrimitives.WriteUInt16LittleEndian(tagSpan, checked((ushort)length));
            Encoding.UTF8.GetBytes(name, tagSpan[2..]);
            BinaryPrimitives.WriteInt64LittleEndian(tagSpan[(2 + length)..], generation);
            writer.Advance(2 + length + 8);
        }

        serializer.Serialize(value, writer);
        return writer.WrittenSpan.ToArray();
    }

    public static bool TryDecode(ReadOnlyMemory<byte> data, out EntryHeader header, out ReadOnlyMemory<byte> payload)
    {
        header = default;
        payload = default;
        var span = data.Span;
        if (span.Length < FixedHeader || span[0] != Version)
        {
            return false;
        }

        var tagCount = span[34];
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
            var generation = BinaryPrimitives.ReadInt64LittleEndian(span[(offset + 2 + length)..]);
            tags[i] = new KeyValuePair<string, long>(name, generation);
            offset += 2 + length + 8;
        }

        header = new EntryHeader(
            CreatedAt: BinaryPrimitives.ReadInt64LittleEndian(span[2..]),
            FreshUntil: BinaryPrimitives.ReadInt64LittleEndian(span[10..]),
            ScopeGeneration: BinaryPrimitives.ReadInt64LittleEndian(span[18..]),
            GlobalGeneration: BinaryPrimitives.ReadInt64LittleEndian(span[26..]),
            FailSafe: (span[1] & 1) != 0,
            Tags: tags);
        payload = data[offset..];
        return true;
    }
}
