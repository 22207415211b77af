using Commerce.Webhooks.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Commerce.Webhooks;

/// <summary>Connections, sources and handlers for Commerce.Webhooks.</summary>
public static class CommerceWebhooksBuilderExtensions
{
    /// <summary>Uses PostgreSQL at <paramref name="connectionString"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <returns>The builder.</returns>
    public static ICommerceWebhooksBuilder WithPostgres(this ICommerceWebhooksBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Services.Configure<WebhooksOptions>(o => o.PostgresConnectionString = connectionString);
        return builder;
    }

    /// <summary>Uses an existing PostgreSQL data source (not disposed by the package).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">The data source.</param>
    /// <returns>The builder.</returns>
    public static ICommerceWebhooksBuilder WithPostgres(this ICommerceWebhooksBuilder builder, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        builder.Services.RemoveAll<WebhooksPostgresRegistration>();
        builder.Services.AddSingleton(new WebhooksPostgresRegistration(_ => dataSource));
        return builder;
    }

    /// <summary>Adds (or replaces) a source verified by one of the built-in schemes.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The source's name, used by <c>MapWebhooks</c>.</param>
    /// <param name="configure">Its scheme, secrets and tolerance.</param>
    /// <returns>The builder.</returns>
    public static ICommerceWebhooksBuilder AddSource(this ICommerceWebhooksBuilder builder, string name, Action<WebhookSourceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<WebhooksOptions>(o =>
        {
            var source = new WebhookSourceOptions();
            configure(source);
            o.Sources[name] = source;
        });
        return builder;
    }

    /// <summary>Adds a source verified by your own <see cref="IWebhookVerifier"/> (another platform's scheme).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The source's name.</param>
    /// <param name="verifier">Creates its verifier.</param>
    /// <returns>The builder.</returns>
    public static ICommerceWebhooksBuilder AddSource(this ICommerceWebhooksBuilder builder, string name, Func<IServiceProvider, IWebhookVerifier> verifier)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(verifier);
        builder.Services.AddSingleton(new CustomVerifierRegistration(name, verifier));
        return builder;
    }

    /// <summary>Adds a handler of messages of <paramref name="type"/> (<c>*</c> for every type).</summary>
    /// <typeparam name="THandler">The handler, resolved from a DI scope per message (registered as scoped unless already registered).</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="type">The event type, for example <c>orders.created</c>.</param>
    /// <param name="source">Only messages of this source; null for any.</param>
    /// <returns>The builder.</returns>
    public static ICommerceWebhooksBuilder AddHandler<THandler>(this ICommerceWebhooksBuilder builder, string type, string? source = null)
        where THandler : class, IWebhookHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(type);
        builder.Services.TryAddScoped<THandler>();
        builder.Services.AddSingleton(HandlerRegistry.Untyped<THandler>(type, source));
        return builder;
    }

    /// <summary>Adds a handler that receives the envelope's <c>data</c> as <typeparamref name="TPayload"/>.</summary>
    /// <typeparam name="TPayload">The payload type (System.Text.Json, web defaults). A payload that does not fit parks the message as dead (a <see cref="WebhookPayloadException"/>).</typeparam>
    /// <typeparam name="THandler">The handler.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="type">The event type.</param>
    /// <param name="source">Only messages of this source; null for any.</param>
    /// <returns>The builder.</returns>
    public static ICommerceWebhooksBuilder AddHandler<TPayload, THandler>(this ICommerceWebhooksBuilder builder, string type, string? source = null)
        where THandler : class, IWebhookHandler<TPayload>
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(type);
        builder.Services.TryAddScoped<THandler>();
        builder.Services.AddSingleton(HandlerRegistry.Typed<TPayload, THandler>(type, source));
        return builder;
    }

    /// <summary>
    /// Adds a validator that checks the payload of messages of <paramref name="type"/> (<c>*</c> for every type) in the
    /// request, before they are stored: a message it refuses is answered 422 with its field errors and not stored.
    /// </summary>
    /// <typeparam name="TValidator">The validator (a singleton).</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="type">The event type, or <c>*</c>.</param>
    /// <param name="source">Only messages from this source; null for every source.</param>
    /// <returns>The builder.</returns>
    public static ICommerceWebhooksBuilder AddPayloadValidator<TValidator>(this ICommerceWebhooksBuilder builder, string type = "*", string? source = null)
        where TValidator : class, IWebhookPayloadValidator
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(type);
        builder.Services.TryAddSingleton<TValidator>();
        builder.Services.AddSingleton(new PayloadValidatorRegistration(type, source, typeof(TValidator)));
        return builder;
    }

    /// <summary>
    /// Adds a handler that receives messages of <paramref name="type"/> (<c>*</c> for every type) a batch at a time, for
    /// handlers that write many messages in one transaction. Each message's outcome stays its own (see
    /// <see cref="IWebhookBatchHandler"/>); per-message handlers of the same type run after it, for the messages it did not fail.
    /// </summary>
    /// <typeparam name="THandler">The handler, resolved from a DI scope per batch (registered as scoped unless already registered).</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="type">The event type.</param>
    /// <param name="source">Only messages of this source; null for any.</param>
    /// <param name="maxBatchSize">The most messages in one batch. Default 100.</param>
    /// <param name="maxConcurrency">
    /// The most of its batches running at once in one instance; null (the default) for as many as
    /// <see cref="WebhooksOptions.ProcessingConcurrency"/> allows. While that many run, its messages stay in the inbox
    /// (unclaimed, so another instance may take them) and the next batch takes all that arrived meanwhile, up to
    /// <paramref name="maxBatchSize"/> and <see cref="WebhooksOptions.InboxBatchSize"/> (the most one claim takes): for
    /// a handler whose batches contend for the same rows (one hot shop's summaries), 1 gives fewer, fuller batches
    /// instead of a queue of small ones waiting for each other's locks. Registered for <c>*</c>, the limit holds back
    /// every type of the source while it is reached, per-message handlers' types included.
    /// </param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatchSize"/> is not 1 to 10,000, or <paramref name="maxConcurrency"/> is less than 1.</exception>
    public static ICommerceWebhooksBuilder AddBatchHandler<THandler>(this ICommerceWebhooksBuilder builder, string type, string? source = null, int maxBatchSize = 100, int? maxConcurrency = null)
        where THandler : class, IWebhookBatchHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBatchSize, 10_000);
        if (maxConcurrency is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1, nameof(maxConcurrency));
        }

        builder.Services.TryAddScoped<THandler>();
        builder.Services.AddSingleton(HandlerRegistry.Batch<THandler>(type, source, maxBatchSize, maxConcurrency));
        return builder;
    }
}
