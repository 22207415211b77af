using System.Collections.Concurrent;

namespace Commerce.Webhooks;

/// <summary>Messages handed to an <see cref="IWebhookBatchHandler"/> together, and the failures it records for some of them.</summary>
public sealed class WebhookBatch
{
    private readonly ConcurrentDictionary<long, Exception> _failures = new();

    /// <summary>Creates a batch.</summary>
    /// <param name="messages">Its messages, in arrival order.</param>
    public WebhookBatch(IReadOnlyList<WebhookMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Messages = messages;
    }

    /// <summary>The messages, in arrival order.</summary>
    public IReadOnlyList<WebhookMessage> Messages { get; }

    /// <summary>The failures recorded so far, by inbox id.</summary>
    public IReadOnlyDictionary<long, Exception> Failures => _failures;

    /// <summary>Marks a message failed: it is retried later with backoff (dead after the last attempt). The others are unaffected.</summary>
    /// <param name="message">A message of this batch.</param>
    /// <param name="error">What went wrong; its message becomes the message's last error.</param>
    /// <exception cref="ArgumentException">The message is not in this batch.</exception>
    public void Fail(WebhookMessage message, Exception error)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(error);
        EnsureMember(message);
        _failures[message.Id] = error;
    }

    /// <summary>Marks a message as one that can never be handled: it is parked dead at once.</summary>
    /// <param name="message">A message of this batch.</param>
    /// <param name="reason">Why; kept as its last error.</param>
    /// <exception cref="ArgumentException">The message is not in this batch.</exception>
    public void Reject(WebhookMessage message, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        Fail(message, new WebhookPayloadException(reason));
    }

    private void EnsureMember(WebhookMessage message)
    {
        foreach (var member in Messages)
        {
            if (ReferenceEquals(member, message) || member.Id == message.Id)
            {
                return;
            }
        }

        throw new ArgumentException($"Message {message.Id} is not in this batch.", nameof(message));
    }
}
