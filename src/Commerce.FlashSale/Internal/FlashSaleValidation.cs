namespace Commerce.FlashSale.Internal;

/// <summary>The rules of definitions and requests; every broken rule is reported, by field.</summary>
internal static class FlashSaleValidation
{
    public const int MaxProductId = 100;
    public const int MaxUserId = 200;
    public const int MaxReservationId = 128;
    public const int MaxBuckets = 16;

    public static void Validate(FlashSaleDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        if (string.IsNullOrWhiteSpace(definition.ShopId) || definition.ShopId.Length > 200)
        {
            Add("shopId", "A shop id of 1-200 characters is required.");
        }

        if (string.IsNullOrWhiteSpace(definition.Name) || definition.Name.Length > 200)
        {
            Add("name", "A name of 1-200 characters is required.");
        }

        if (definition.EndsAt <= definition.StartsAt)
        {
            Add("endsAt", "The sale must end after it starts.");
        }

        if (definition.Buckets is < 1 or > MaxBuckets)
        {
            Add("buckets", $"A sale's stock is split over 1-{MaxBuckets} buckets.");
        }

        if (definition.WaitingRoom is { } room)
        {
            if (room.AdmissionsPerSecond is < 1 or > 100_000)
            {
                Add("waitingRoom.admissionsPerSecond", "A waiting room admits 1-100,000 shoppers per second.");
            }

            if (room.AdmissionLifetime < TimeSpan.FromSeconds(10) || room.AdmissionLifetime > TimeSpan.FromHours(1))
            {
                Add("waitingRoom.admissionLifetime", "An admission lasts 10 seconds to 1 hour.");
            }
        }

        if (definition.Items is null || definition.Items.Count == 0)
        {
            Add("items", "A sale needs at least one item.");
        }
        else
        {
            for (var i = 0; i < definition.Items.Count; i++)
            {
                var item = definition.Items[i];
                if (!IsToken(item.ProductId, MaxProductId))
                {
                    Add($"items[{i}].productId", $"A product id of 1-{MaxProductId} characters without '|' is required.");
                }

                if (item.Stock < 0)
                {
                    Add($"items[{i}].stock", "Stock can't be negative.");
                }

                if (item.Price < 0)
                {
                    Add($"items[{i}].price", "Price can't be negative.");
                }

                if (item.PerUserLimit < 1)
                {
                    Add($"items[{i}].perUserLimit", "The per-user limit must be at least 1.");
                }
            }

            foreach (var duplicate in definition.Items.GroupBy(i => i.ProductId, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                Add("items", $"Product '{duplicate.Key}' appears more than once.");
            }
        }

        Throw(errors);
    }

    public static void Validate(ReserveRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, List<string>>();
        if (!IsToken(request.ProductId, MaxProductId))
        {
            errors["productId"] = [$"A product id of 1-{MaxProductId} characters without '|' is required."];
        }

        if (!IsToken(request.UserId, MaxUserId))
        {
            errors["userId"] = [$"A user id of 1-{MaxUserId} characters without '|' is required."];
        }

        if (request.Quantity < 1)
        {
            errors["quantity"] = ["Quantity must be at least 1."];
        }

        if (request.ReservationId is not null && !IsToken(request.ReservationId, MaxReservationId))
        {
            errors["reservationId"] = [$"A reservation id (idempotency key) has 1-{MaxReservationId} characters without '|'."];
        }

        Throw(errors);
    }

    public static void ValidateIds(string reservationId, string userId)
    {
        var errors = new Dictionary<string, List<string>>();
        if (!IsToken(reservationId, MaxReservationId))
        {
            errors["reservationId"] = [$"A reservation id has 1-{MaxReservationId} characters without '|'."];
        }

        AddUserIdError(errors, userId);
        Throw(errors);
    }

    /// <summary>A user id alone (joining a waiting room).</summary>
    public static void ValidateUserId(string userId)
    {
        var errors = new Dictionary<string, List<string>>();
        AddUserIdError(errors, userId);
        Throw(errors);
    }

    private static void AddUserIdError(Dictionary<string, List<string>> errors, string userId)
    {
        if (!IsToken(userId, MaxUserId))
        {
            errors["userId"] = [$"A user id of 1-{MaxUserId} characters without '|' is required."];
        }
    }

    private static bool IsToken(string? value, int max) =>
        !string.IsNullOrEmpty(value) && value.Length <= max && !value.Contains('|', StringComparison.Ordinal) && value != "_"
        && !value.Any(char.IsControl);

    private static void Throw(Dictionary<string, List<string>> errors)
    {
        if (errors.Count > 0)
        {
            throw new FlashSaleDefinitionException(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }
    }
}
