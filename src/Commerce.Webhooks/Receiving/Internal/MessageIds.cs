namespace Commerce.Webhooks.Internal;

/// <summary>The rule a message id must meet to be a dedupe key, checked at the door before anything is stored.</summary>
internal static class MessageIds
{
    /// <summary>Null when <paramref name="id"/> is usable; else why not.</summary>
    public static string? Problem(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "The message id is empty.";
        }

        if (id.Length > WebhookVerificationResult.MaxMessageIdLength)
        {
            return $"The message id is {id.Length} characters; at most {WebhookVerificationResult.MaxMessageIdLength} are accepted.";
        }

        foreach (var c in id)
        {
            if (c == '.' || char.IsControl(c))
            {
                return "The message id may not contain '.', CR, LF or other control characters.";
            }
        }

        return null;
    }
}
