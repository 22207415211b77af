namespace Commerce.Webhooks;

/// <summary>One delivery attempt of a sent webhook, from the attempt log (<see cref="IWebhookSender.GetAttemptsAsync"/>).</summary>
/// <param name="Attempt">Which attempt, from 1 (counting again from 1 after a resend).</param>
/// <param name="AttemptedAt">When it started.</param>
/// <param name="StatusCode">The HTTP status received, if an answer came.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="ResponseExcerpt">The start of the answer's body (at most 1 KiB, as text), if any.</param>
/// <param name="Error">Why it failed, if it did.</param>
public sealed record WebhookAttempt(int Attempt, DateTimeOffset AttemptedAt, int? StatusCode, TimeSpan Duration, string? ResponseExcerpt, string? Error);
