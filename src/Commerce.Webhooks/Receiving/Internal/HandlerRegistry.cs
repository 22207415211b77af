using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Webhooks.Internal;

/// <summary>How to run one registered per-message handler on a message, inside a DI scope.</summary>
internal sealed record HandlerRegistration(string Type, string? Source, Func<IServiceProvider, WebhookMessage, CancellationToken, ValueTask> Invoke)
{
    public bool Matches(string source, string type) => (Type == type || Type == "*") && (Source is null || Source == source);
}

/// <summary>
/// How to run one registered batch handler on a batch, inside a DI scope; <paramref name="MaxConcurrency"/>: the most of
/// its batches running at once in this instance (null: as many as the processing slots allow).
/// </summary>
internal sealed record BatchHandlerRegistration(string Type, string? Source, int MaxBatchSize, int? MaxConcurrency, Func<IServiceProvider, WebhookBatch, CancellationToken, ValueTask> Invoke)
{
    public bool Matches(string source, string type) => (Type == type || Type == "*") && (Source is null || Source == source);
}

/// <summary>The handlers registered with <c>AddHandler</c> and <c>AddBatchHandler</c>, by type; <c>*</c> receives every type.</summary>
internal sealed class HandlerRegistry(IEnumerable<HandlerRegistration> registrations, IEnumerable<BatchHandlerRegistration> batchRegistrations)
{
    private readonly HandlerRegistration[] _all = registrations.ToArray();
    private readonly BatchHandlerRegistration[] _batches = batchRegistrations.ToArray();

    /// <summary>How many messages one claim may take per free slot: the largest batch a batch handler accepts, else 1.</summary>
    public int RowsPerSlot { get; } = batchRegistrations.Select(b => b.MaxBatchSize).DefaultIfEmpty(1).Max();

    /// <summary>Every batch handler (a claim takes their messages by the batch, others by the free slot).</summary>
    public IReadOnlyList<BatchHandlerRegistration> Batched => _batches;

    /// <summary>The batch handlers with a limit on how many of their batches run at once.</summary>
    public IReadOnlyList<BatchHandlerRegistration> Limited => _batches.Where(b => b.MaxConcurrency is not null).ToArray();

    public IReadOnlyList<HandlerRegistration> For(string source, string type) =>
        _all.Where(r => r.Matches(source, type)).ToArray();

    public IReadOnlyList<BatchHandlerRegistration> BatchesFor(string source, string type) =>
        _batches.Where(r => r.Matches(source, type)).ToArray();

    /// <summary>Identifies a set of batch handlers, so messages with the same set are batched together.</summary>
    public string BatchKey(IReadOnlyList<BatchHandlerRegistration> batches) =>
        string.Join('|', batches.Select(b => Array.IndexOf(_batches, b)));

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

    public static BatchHandlerRegistration Batch<THandler>(string type, string? source, int maxBatchSize, int? maxConcurrency)
        where THandler : class, IWebhookBatchHandler =>
        new(type, source, maxBatchSize, maxConcurrency, static (services, batch, ct) => services.GetRequiredService<THandler>().HandleAsync(batch, ct));
}
