namespace Commerce.Webhooks;

/// <summary>
/// Checks a verified webhook's payload before it is stored, so a payload the handlers could never use is refused at the
/// door (HTTP 422 with field errors, nothing stored) and the sender learns it, rather than being acknowledged and parked
/// dead later. Register with <c>AddPayloadValidator&lt;T&gt;(type, source)</c>; it runs in the request, so keep it to
/// checks of the payload itself (no database).
/// </summary>
public interface IWebhookPayloadValidator
{
    /// <summary>Checks one message (its <see cref="WebhookMessage.Id"/> is 0 and its attempt 0: it is not stored yet).</summary>
    /// <param name="message">The verified message, with the type it would be stored with.</param>
    /// <returns>The problems by field (for example <c>data.shopId</c>), or null or empty when it is usable.</returns>
    IReadOnlyDictionary<string, string[]>? Validate(WebhookMessage message);
}
