using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Webhooks.Internal;

/// <summary>How to run one registered handler on a message, inside a DI scope.</summary>
internal sealed record HandlerRegistration(string Type, string? Source, Func<IServiceProvider, WebhookMessage, CancellationToken, ValueTask> Invoke);

/// <summary>The handlers registered with <c>AddHandler</c>, by type; <c>*</c> receives every type.</summary>
internal sealed class HandlerRegistry(IEnumerable<HandlerRegistration> registrations)
{
    private readonly HandlerRegistration[] _all = registrations.ToArray();

    public IReadOnlyList<HandlerRegistration> For(string source, string type) =>
        _all.Where(r => (r.Type == type || r.Type == "*") && (r.Source is null || r.Source == source)).ToArray();

    public static HandlerRegistration Untyped<THandler>(string type, string? source)
        where THandler : class, IWebhookHandler =>
        new(type, source, static (services, message, ct) => services.GetRequiredService<THandler>().HandleAsync(message, ct));

    public static HandlerRegistration Typed<TPayload, THandler>(string type, string? source)
        where THandler : class, IWebhookHandler<TPayload> =>
        new(type, source, static (services, message, ct) =>
        {
            TPayload payload;
            try
            {
                payload = message.GetData<TPayload>();
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new WebhookPayloadException($"The {message.Type} payload does not match {typeof(TPayload).Name}: {e.Message}", e);
            }

            return services.GetRequiredService<THandler>().HandleAsync(message, payload, ct);
        });
}

/// <summary>A payload that can never be handled (retrying won't help): the message is parked as dead at once.</summary>
internal sealed class WebhookPayloadException(string message, Exception inner) : Exception(message, inner);
