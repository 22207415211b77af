using System.Globalization;
using System.Text.Json;

namespace Commerce.Webhooks.Internal;

/// <summary>Reads the top-level <c>type</c> and <c>timestamp</c> of a Standard Webhooks envelope without building a DOM.</summary>
internal static class Envelope
{
    public static (string? Type, DateTimeOffset? Timestamp) Read(ReadOnlySpan<byte> body)
    {
        string? type = null;
        DateTimeOffset? timestamp = null;
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

        return (type, timestamp);
    }
}
