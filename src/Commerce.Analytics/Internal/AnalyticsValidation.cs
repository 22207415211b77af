namespace Commerce.Analytics.Internal;

/// <summary>Rules of the ingested data; every broken rule is reported, by field.</summary>
internal static class AnalyticsValidation
{
    public static void Validate(ProductSnapshot product, string prefix = "")
    {
        var errors = new Errors();
        Validate(product, prefix, errors);
        errors.ThrowIfAny();
    }

    public static void Validate(OrderSnapshot order, string prefix = "")
    {
        var errors = new Errors();
        Validate(order, prefix, errors);
        errors.ThrowIfAny();
    }

    public static void Validate(ProductSnapshot product, string prefix, Errors errors)
    {
        ArgumentNullException.ThrowIfNull(product);
        Id(errors, prefix + "shopId", product.ShopId);
        Id(errors, prefix + "productId", product.ProductId);
        if (product.Name is null || product.Name.Length > 500)
        {
            errors.Add(prefix + "name", "A name of at most 500 characters is required.");
        }

        if (product.Price < 0)
        {
            errors.Add(prefix + "price", "Price can't be negative.");
        }

        if (product.Cost < 0)
        {
            errors.Add(prefix + "cost", "Cost can't be negative.");
        }

        if (product.Stock < 0)
        {
            errors.Add(prefix + "stock", "Stock can't be negative.");
        }

        if (product.Currency is not null && !IsCurrency(product.Currency))
        {
            errors.Add(prefix + "currency", "Currency must be a three-letter ISO 4217 code.");
        }

        if (product.LeadTimeDays is < 0)
        {
            errors.Add(prefix + "leadTimeDays", "Lead time can't be negative.");
        }
    }

    /// <remarks>
    /// Builds no field name unless there is an error: a bulk sync validates millions of lines, and formatting each
    /// line's names cost more than checking it.
    /// </remarks>
    public static void Validate(OrderSnapshot order, string prefix, Errors errors)
    {
        ArgumentNullException.ThrowIfNull(order);
        Id(errors, prefix, "shopId", order.ShopId);
        Id(errors, prefix, "orderId", order.OrderId);
        if (string.IsNullOrWhiteSpace(order.Platform) || order.Platform.Length > 100)
        {
            errors.Add(prefix + "platform", "A platform of 1-100 characters is required.");
        }

        if (!IsCurrency(order.Currency))
        {
            errors.Add(prefix + "currency", "Currency must be a three-letter ISO 4217 code.");
        }

        if (!Enum.IsDefined(order.Status))
        {
            errors.Add(prefix + "status", "Unknown status.");
        }

        NotNegative(errors, prefix, "discount", order.Discount);
        NotNegative(errors, prefix, "shipping", order.Shipping);
        NotNegative(errors, prefix, "tax", order.Tax);
        NotNegative(errors, prefix, "platformFee", order.PlatformFee);
        if (order.Lines is null)
        {
            errors.Add(prefix + "lines", "Lines are required (they may be empty).");
            return;
        }

        var gross = 0m;
        for (var i = 0; i < order.Lines.Count; i++)
        {
            gross += order.Lines[i].Quantity * order.Lines[i].UnitPrice;
        }

        if (order.Discount > gross)
        {
            errors.Add(prefix + "discount", "The discount can't exceed the order's gross sales (price x quantity of its lines).");
        }

        for (var i = 0; i < order.Lines.Count; i++)
        {
            var line = order.Lines[i];
            if (!IsId(line.ProductId))
            {
                errors.Add($"{prefix}lines[{i}].productId", IdError);
            }

            if (line.Quantity < 1)
            {
                errors.Add($"{prefix}lines[{i}].quantity", "Quantity must be at least 1.");
            }

            if (line.UnitPrice < 0)
            {
                errors.Add($"{prefix}lines[{i}].unitPrice", "Unit price can't be negative.");
            }

            if (line.UnitCost < 0)
            {
                errors.Add($"{prefix}lines[{i}].unitCost", "Unit cost can't be negative.");
            }
        }
    }

    private static void NotNegative(Errors errors, string prefix, string name, decimal amount)
    {
        if (amount < 0)
        {
            errors.Add(prefix + name, $"The {name} can't be negative.");
        }
    }

    public static void Validate(OrderRefund refund)
    {
        ArgumentNullException.ThrowIfNull(refund);
        var errors = new Errors();
        Id(errors, "shopId", refund.ShopId);
        Id(errors, "orderId", refund.OrderId);
        Id(errors, "refundId", refund.RefundId);
        if (refund.Shipping < 0)
        {
            errors.Add("shipping", "The shipping refunded can't be negative.");
        }

        if (refund.Lines is null || (refund.Lines.Count == 0 && refund.Shipping == 0))
        {
            errors.Add("lines", "A refund gives back goods (lines) or shipping.");
        }

        for (var i = 0; i < (refund.Lines?.Count ?? 0); i++)
        {
            var line = refund.Lines![i];
            Id(errors, $"lines[{i}].productId", line.ProductId);
            if (line.Quantity < 1)
            {
                errors.Add($"lines[{i}].quantity", "Quantity must be at least 1.");
            }

            if (line.Amount < 0)
            {
                errors.Add($"lines[{i}].amount", "The amount refunded can't be negative.");
            }
        }

        errors.ThrowIfAny();
    }

    public static void Ids(string shopId, string id, string idName)
    {
        var errors = new Errors();
        Id(errors, "shopId", shopId);
        Id(errors, idName, id);
        errors.ThrowIfAny();
    }

    public static bool IsCurrency(string? currency) =>
        currency is { Length: 3 } && currency.All(char.IsAsciiLetterUpper);

    /// <summary>
    /// The IANA name PostgreSQL knows for <paramref name="timeZone"/>: an IANA name as it is, a Windows id converted
    /// (<c>SE Asia Standard Time</c> → <c>Asia/Bangkok</c>); null for anything else.
    /// </summary>
    public static string? IanaName(string? timeZone)
    {
        if (string.IsNullOrWhiteSpace(timeZone))
        {
            return null;
        }

        if (TimeZoneInfo.TryConvertWindowsIdToIanaId(timeZone, out var iana))
        {
            return iana;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) && zone.HasIanaId ? zone.Id : null;
    }

    /// <summary>The IANA name of <paramref name="timeZone"/>, or a validation error naming the field.</summary>
    public static string RequireIanaName(string timeZone) =>
        IanaName(timeZone) ?? throw new AnalyticsValidationException(new Dictionary<string, string[]>
        {
            ["timeZone"] = [$"'{timeZone}' is not a known IANA time zone (or a Windows id with one), such as Asia/Bangkok."],
        });

    public static TimeZoneInfo TimeZone(string timeZone)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone))
        {
            throw new AnalyticsValidationException(new Dictionary<string, string[]> { ["timeZone"] = [$"'{timeZone}' is not a known IANA time zone."] });
        }

        return zone;
    }

    private const string IdError = "An id of 1-200 characters is required.";

    private static bool IsId(string? value) => !string.IsNullOrWhiteSpace(value) && value.Length <= 200;

    private static void Id(Errors errors, string field, string? value)
    {
        if (!IsId(value))
        {
            errors.Add(field, IdError);
        }
    }

    private static void Id(Errors errors, string prefix, string name, string? value)
    {
        if (!IsId(value))
        {
            errors.Add(prefix + name, IdError);
        }
    }

    internal sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _errors = [];

        public void Add(string field, string message)
        {
            if (!_errors.TryGetValue(field, out var list))
            {
                _errors[field] = list = [];
            }

            list.Add(message);
        }

        public void ThrowIfAny()
        {
            if (_errors.Count > 0)
            {
                throw new AnalyticsValidationException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
            }
        }
    }
}
