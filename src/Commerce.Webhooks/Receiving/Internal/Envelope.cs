using System.Globalization;
using System.Text.Json;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Reads the top-level <c>type</c> and <c>timestamp</c> of a Standard Webhooks envelope (<c>{ type, timestamp, data }</c>)
/// without building a DOM. A body without a top-level <c>data</c> is no envelope: its <c>type</c> or <c>timestamp</c>
/// are the event's own fields (a cart's <c>type</c>), so neither is read.
/// </summary>
internal static class Envelope
{
    public static (string? Type, DateTimeOffset? Timestamp) Read(ReadOnlySpan<byte> body)
    {
        string? type = null;
        DateTimeOffset? timestamp = null;
        var hasData = false;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, null);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                var isTimestamp = reader.ValueTextEquals("timestamp"u8);
                hasData |= reader.ValueTextEquals("data"u8);
                reader.Read();
                if (isType && reader.TokenType == JsonTokenType.String)
                {
                    type = reader.GetString();
                }
                else if (isTimestamp && reader.TokenType == JsonTokenType.String
                    && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    timestamp = at;
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // not JSON, or not an envelope: the handler gets the body as it is
        }

        return hasData ? (type, timestamp) : (null, null);
    }
}
