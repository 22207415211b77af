using System.Text;
using Commerce.Analytics;
using Commerce.Caching;
using Commerce.FlashSale;
using Commerce.Notifications;
using Commerce.Webhooks;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using StackExchange.Redis;

namespace Commerce.SampleHost;

/// <summary>The five packages composed, on one Redis connection and one PostgreSQL data source, with JWT auth.</summary>
public static class CommerceServices
{
    /// <summary>The webhook source name of the storefront.</summary>
    public const string Storefront = "storefront";

    public static WebApplicationBuilder AddCommerceServices(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        ProductionGuards.Check(configuration, builder.Environment);
        var redisOptions = ConfigurationOptions.Parse(configuration.GetConnectionString("Redis") ?? throw new InvalidOperationException("ConnectionStrings:Redis is required."));
        redisOptions.AbortOnConnectFail = false;
        redisOptions.ClientName = "commerce-sample-host";
        var redis = ConnectionMultiplexer.Connect(redisOptions);
        var postgres = new NpgsqlDataSourceBuilder(configuration.GetConnectionString("Postgres") ?? throw new InvalidOperationException("ConnectionStrings:Postgres is required.")).Build();
        builder.Services.AddSingleton<IConnectionMultiplexer>(redis);
        builder.Services.AddSingleton(postgres);

        builder.Services.AddCommerceCaching(configuration.GetSection("Commerce:Caching"))
            .WithRedis(_ => Task.FromResult<IConnectionMultiplexer>(redis))
            .WithWarmup<ReportsWarmup>();
        builder.Services.AddCommerceAnalytics(configuration.GetSection("Commerce:Analytics"))
            .WithPostgres(postgres);
        builder.Services.AddCommerceFlashSale(configuration.GetSection("Commerce:FlashSale"))
            .WithRedis(redis)
            .WithPostgres(postgres)
            .AddEventSubscriber<ReservationNotifier>();
        // One instance for both kinds of events, so its stock snapshots are coalesced across them.
        builder.Services.AddSingleton<FlashSaleRooms>();
        builder.Services.AddSingleton<IFlashSaleEventSubscriber>(sp => sp.GetRequiredService<FlashSaleRooms>());
        builder.Services.AddSingleton<IFlashSaleLifecycleSubscriber>(sp => sp.GetRequiredService<FlashSaleRooms>());
        var notifications = builder.Services.AddCommerceNotifications(configuration.GetSection("Commerce:Notifications"))
            .WithRedis(redis)
            .WithPostgres(postgres)
            .AddRoomAuthorizer<HostRoomAuthorizer>();
        var smtp = configuration.GetSection("Commerce:Smtp");
        if (!string.IsNullOrEmpty(smtp["Host"]))
        {
            notifications.AddSmtpEmail(smtp);   // order confirmations by e-mail, queued durably with the notification
        }

        builder.Services.AddSingleton<PaymentLedger>();
        builder.Services.AddSingleton<PaymentCheckout>();
        var secrets = configuration.GetSection("Commerce:Webhooks:Secrets").Get<string[]>() ?? [];
        var webhooks = builder.Services.AddCommerceWebhooks(configuration.GetSection("Commerce:Webhooks"))
            .WithPostgres(postgres)
            .AddSource(Storefront, s => s.Secrets = secrets)
            .AddPayloadValidator<StorefrontPayloadValidator>("*", Storefront)
            // One batch of each at a time per instance: a hot shop's orders then come in full batches instead of a queue of
            // small ones waiting for the shop's lock (docs/benchmarks.md, "A hot shop").
            .AddBatchHandler<StorefrontOrderBatch>("orders.created", Storefront, maxBatchSize: 500, maxConcurrency: 1)
            .AddBatchHandler<StorefrontOrderBatch>("orders.updated", Storefront, maxBatchSize: 500, maxConcurrency: 1);
        foreach (var type in StorefrontEvents.Routes.Values.Where(t => t is not ("orders.created" or "orders.updated")))
        {
            webhooks.AddHandler<StorefrontProjection>(type, Storefront);
        }
        builder.Services.AddOptions<WebhooksOptions>().Validate(
            _ => secrets.Length > 0, "Commerce:Webhooks:Secrets needs at least one whsec_ secret (see appsettings.Development.json).").ValidateOnStart();

        var auth = configuration.GetSection("Commerce:Auth");
        var key = auth["SigningKey"] is { Length: >= 32 } signingKey
            ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey))
            : throw new InvalidOperationException("Commerce:Auth:SigningKey must be set, at least 32 characters (HS256).");
        builder.Services.AddSingleton(new TokenIssuer(key, auth["Issuer"] ?? "commerce", auth["Audience"] ?? "commerce"));
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                IssuerSigningKey = key,
                ValidIssuer = auth["Issuer"] ?? "commerce",
                ValidAudience = auth["Audience"] ?? "commerce",
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                NameClaimType = "sub",
                RoleClaimType = "role",
            };
            o.Events = new JwtBearerEvents
            {
                // EventSource and WebSockets can't set headers: the real-time endpoints take the token from the query.
                OnMessageReceived = context =>
                {
                    var path = context.HttpContext.Request.Path;
                    if ((path.StartsWithSegments("/hubs") || path.StartsWithSegments("/api/notifications/stream"))
                        && context.Request.Query["access_token"].ToString() is { Length: > 0 } token)
                    {
                        context.Token = token;
                    }

                    return Task.CompletedTask;
                },
            };
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy("admin", p => p.RequireRole("admin"));
        return builder;
    }
}
