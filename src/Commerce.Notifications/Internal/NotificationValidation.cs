namespace Commerce.Notifications.Internal;

/// <summary>The rules of requests, reported all at once.</summary>
internal static class NotificationValidation
{
    public const int MaxIdLength = 200;
    public const int MaxTypeLength = 100;
    public const int MaxTitleLength = 500;
    public const int MaxBodyLength = 10_000;

    public static void Validate(NotificationRequest request, IReadOnlySet<string> channels)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        Common(errors, request.Type, request.Title, request.Body, request.Data);
        Id(errors, "recipientId", request.RecipientId);
        Key(errors, request.IdempotencyKey);
        foreach (var (channel, address) in request.Channels ?? new Dictionary<string, string>())
        {
            if (!channels.Contains(channel))
            {
                errors[$"channels.{channel}"] = [$"No channel named '{channel}' is registered."];
            }
            else if (string.IsNullOrWhiteSpace(address))
            {
                errors[$"channels.{channel}"] = ["The address is required."];
            }
        }

        Throw(errors);
    }

    public static void Validate(BulkNotificationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        Common(errors, request.Type, request.Title, request.Body, request.Data);
        Key(errors, request.IdempotencyKey);
        if (request.RecipientIds is null || request.RecipientIds.Count == 0)
        {
            errors["recipientIds"] = ["At least one recipient is required."];
        }
        else if (request.RecipientIds.Any(r => string.IsNullOrWhiteSpace(r) || r.Length > MaxIdLength))
        {
            errors["recipientIds"] = [$"Every recipient id must be non-empty and at most {MaxIdLength} characters."];
        }

        Throw(errors);
    }

    private static void Key(Dictionary<string, string[]> errors, string? key)
    {
        if (key is not null && (key.Length == 0 || key.Length > MaxIdLength))
        {
            errors["idempotencyKey"] = [$"It must be 1 to {MaxIdLength} characters, or left out."];
        }
    }

    public static void Id(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = ["It is required."];
        }
        else if (value.Length > MaxIdLength)
        {
            errors[field] = [$"It must be at most {MaxIdLength} characters."];
        }
    }

    public static void Throw(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new NotificationValidationException(errors);
        }
    }

    private static void Common(Dictionary<string, string[]> errors, string? type, string? title, string? body, System.Text.Json.JsonElement? data)
    {
        if (string.IsNullOrWhiteSpace(type) || type.Length > MaxTypeLength)
        {
            errors["type"] = [$"It is required, at most {MaxTypeLength} characters."];
        }

        if (string.IsNullOrWhiteSpace(title) || title.Length > MaxTitleLength)
        {
            errors["title"] = [$"It is required, at most {MaxTitleLength} characters."];
        }

        if (body is { Length: > MaxBodyLength })
        {
            errors["body"] = [$"It must be at most {MaxBodyLength} characters."];
        }

        if (data is { ValueKind: not System.Text.Json.JsonValueKind.Object })
        {
            errors["data"] = ["It must be a JSON object."];
        }
    }
}
