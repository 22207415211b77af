using Commerce.Analytics;
using Commerce.Caching;
using Commerce.FlashSale;
using Commerce.Notifications;
using Commerce.Webhooks;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Scalar.AspNetCore;

namespace Commerce.SampleHost;

/// <summary>What every host wants: ProblemDetails for every error, health checks, OpenTelemetry, OpenAPI.</summary>
public static class HostDefaults
{
    public static WebApplicationBuilder AddHostDefaults(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddValidation();
        builder.Services.AddExceptionHandler<ErrorMapping>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));
        builder.Services.AddOpenApi();

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"])
            // The well-kept AspNetCore.HealthChecks packages, on the host's own connection and data source.
            .AddRedis(sp => sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(), name: "redis", tags: ["ready"], timeout: TimeSpan.FromSeconds(2))
            .AddNpgSql(sp => sp.GetRequiredService<NpgsqlDataSource>(), name: "postgres", tags: ["ready"], timeout: TimeSpan.FromSeconds(2));

        var otel = builder.Services.AddOpenTelemetry()
            .WithTracing(t => t
                .AddSource(CommerceCachingDiagnostics.ActivitySourceName, CommerceFlashSaleDiagnostics.ActivitySourceName,
                    CommerceWebhooksDiagnostics.ActivitySourceName, CommerceNotificationsDiagnostics.ActivitySourceName,
                    CommerceAnalyticsDiagnostics.ActivitySourceName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(m => m
                .AddMeter(CommerceCachingDiagnostics.MeterName, CommerceFlashSaleDiagnostics.MeterName, CommerceWebhooksDiagnostics.MeterName,
                    CommerceNotificationsDiagnostics.MeterName, CommerceAnalyticsDiagnostics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }

    public static WebApplication UseHostDefaults(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapOpenApi();
        app.MapScalarApiReference("/docs");
        return app;
    }
}
