using System.Text.Json;
using Commerce.Webhooks;

namespace Commerce.SampleHost;

/// <summary>
/// Checks a storefront webhook's <c>data</c> at the door (docs/webhooks.md), so a payload the projection could never use
/// is answered 422 with field errors (<c>data.shopId</c>, <c>data.lines[0].quantity</c>) and the storefront learns it,
/// instead of being acknowledged and parked dead later.
/// </summary>
public sealed class StorefrontPayloadValidator : IWebhookPayloadValidator
{
    private enum Kind { Text, Number, Integer, Date, Array, Guid }

    private static readonly (string Name, Kind Kind)[] Product =
        [("shopId", Kind.Text), ("productId", Kind.Text), ("name", Kind.Text), ("price", Kind.Number), ("cost", Kind.Number), ("stock", Kind.Integer), ("updatedAt", Kind.Date)];

    private static readonly (string Name, Kind Kind)[] Order =
        [("shopId", Kind.Text), ("orderId", Kind.Text), ("platform", Kind.Text), ("status", Kind.Text), ("currency", Kind.Text), ("createdAt", Kind.Date), ("updatedAt", Kind.Date), ("lines", Kind.Array)];

    private static readonly (string Name, Kind Kind)[] Line =
        [("productId", Kind.Text), ("quantity", Kind.Integer), ("unitPrice", Kind.Number), ("unitCost", Kind.Number)];

    private static readonly (string Name, Kind Kind)[] RefundLine = [("productId", Kind.Text), ("quantity", Kind.Integer), ("amount", Kind.Number)];

    private static readonly Dictionary<string, (string Name, Kind Kind)[]> Required = new(StringComparer.Ordinal)
    {
        ["products.created"] = Product,
        ["products.updated"] = Product,
        ["products.deleted"] = [("shopId", Kind.Text), ("productId", Kind.Text), ("updatedAt", Kind.Date)],
        ["orders.created"] = Order,
        ["orders.updated"] = Order,
        ["orders.status_changed"] = [("shopId", Kind.Text), ("orderId", Kind.Text), ("status", Kind.Text), ("updatedAt", Kind.Date)],
        ["orders.refunded"] = [("shopId", Kind.Text), ("orderId", Kind.Text), ("refundId", Kind.Text), ("refundedAt", Kind.Date), ("lines", Kind.Array)],
        ["inventory.updated"] = [("shopId", Kind.Text), ("productId", Kind.Text), ("stock", Kind.Integer), ("updatedAt", Kind.Date)],
        ["sync.batch"] = [("shopId", Kind.Text), ("products", Kind.Array), ("orders", Kind.Array)],
        ["payments.succeeded"] =
            [("shopId", Kind.Text), ("saleId", Kind.Guid), ("reservationId", Kind.Text), ("userId", Kind.Text), ("paymentId", Kind.Text),
             ("amount", Kind.Number), ("currency", Kind.Text), ("paidAt", Kind.Date)],
    };

    public IReadOnlyDictionary<string, string[]>? Validate(WebhookMessage message)
    {
        if (!Required.TryGetValue(message.Type, out var fields))
        {
            return new Dictionary<string, string[]> { ["type"] = [$"Unknown storefront webhook type '{message.Type}'."] };
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message.Body);
        }
        catch (JsonException)
        {
            return new Dictionary<string, string[]> { ["body"] = ["The body is not JSON."] };
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                return new Dictionary<string, string[]> { ["data"] = ["Required: an object with the event's fields (docs/webhooks.md)."] };
            }

            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            Check(data, "data", fields, errors);
            if (message.Type is "orders.created" or "orders.updated" or "orders.status_changed")
            {
                CheckStatus(data, "data", errors);
            }

            if (message.Type is "orders.created" or "orders.updated")
            {
                CheckLines(data, "data", errors);
                CheckAmounts(data, "data", errors);
            }

            if (message.Type == "orders.refunded")
            {
                CheckRefund(data, errors);
            }

            if (message.Type == "sync.batch")
            {
                CheckBatch(data, errors);
            }

            return errors.Count == 0 ? null : errors;
        }
    }

    private static void Check(JsonElement element, string path, (string Name, Kind Kind)[] fields, Dictionary<string, string[]> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors[path] = ["Must be an object."];
            return;
        }

        foreach (var (name, kind) in fields)
        {
            var problem = !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null
                ? "Required."
                : kind switch
                {
                    Kind.Text when value.ValueKind != JsonValueKind.String || value.GetString()!.Length == 0 => "Must be a non-empty string.",
                    Kind.Number when value.ValueKind != JsonValueKind.Number => "Must be a number.",
                    Kind.Integer when value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out _) => "Must be a whole number.",
                    Kind.Date when value.ValueKind != JsonValueKind.String || !value.TryGetDateTimeOffset(out _) => "Must be an ISO 8601 date and time with an offset.",
                    Kind.Array when value.ValueKind != JsonValueKind.Array => "Must be an array.",
                    Kind.Guid when value.ValueKind != JsonValueKind.String || !value.TryGetGuid(out _) => "Must be a sale id (a UUID).",
                    _ => null,
                };
            if (problem is not null)
            {
                errors[$"{path}.{name}"] = [problem];
            }
        }
    }

    /// <summary>Each product and order of a bulk sync as its own event would be checked, and of the batch's shop.</summary>
    private static void CheckBatch(JsonElement data, Dictionary<string, string[]> errors)
    {
        var shop = data.TryGetProperty("shopId", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        foreach (var (list, fields) in new[] { ("products", Product), ("orders", Order) })
        {
            if (!data.TryGetProperty(list, out var items) || items.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            var i = 0;
            foreach (var item in items.EnumerateArray())
            {
                var path = $"data.{list}[{i++}]";
                Check(item, path, fields, errors);
                if (item.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (shop is not null && item.TryGetProperty("shopId", out var own) && own.ValueKind == JsonValueKind.String && own.GetString() != shop)
                {
                    errors[$"{path}.shopId"] = [$"Must be the batch's shop '{shop}'."];
                }

                if (list == "orders")
                {
                    CheckStatus(item, path, errors);
                    CheckLines(item, path, errors);
                    CheckAmounts(item, path, errors);
                }
            }
        }
    }

    private static void CheckLines(JsonElement order, string path, Dictionary<string, string[]> errors)
    {
        if (order.TryGetProperty("lines", out var lines) && lines.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var line in lines.EnumerateArray())
            {
                Check(line, $"{path}.lines[{i++}]", Line, errors);
            }
        }
    }

    /// <summary>A partial refund's lines, and its optional shipping: a number of at least 0.</summary>
    private static void CheckRefund(JsonElement data, Dictionary<string, string[]> errors)
    {
        if (data.TryGetProperty("lines", out var lines) && lines.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var line in lines.EnumerateArray())
            {
                Check(line, $"data.lines[{i++}]", RefundLine, errors);
            }
        }

        if (data.TryGetProperty("shipping", out var shipping) && shipping.ValueKind != JsonValueKind.Null
            && (shipping.ValueKind != JsonValueKind.Number || shipping.GetDecimal() < 0))
        {
            errors["data.shipping"] = ["Optional; the shipping refunded, a number of at least 0."];
        }
    }

    /// <summary>The optional order-level amounts: absent, or a number at least 0.</summary>
    private static void CheckAmounts(JsonElement order, string path, Dictionary<string, string[]> errors)
    {
        foreach (var name in new[] { "discount", "shipping", "tax", "platformFee" })
        {
            if (order.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
                && (value.ValueKind != JsonValueKind.Number || value.GetDecimal() < 0))
            {
                errors[$"{path}.{name}"] = ["Optional; a number of at least 0 in the order's currency."];
            }
        }
    }

    private static void CheckStatus(JsonElement data, string path, Dictionary<string, string[]> errors)
    {
        if (data.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
            && !(Enum.TryParse<Commerce.Analytics.OrderStatus>(status.GetString(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)))
        {
            errors[$"{path}.status"] = [$"Unknown order status '{status.GetString()}' (pending, paid, shipped, completed, cancelled, refunded)."];
        }
    }
}
