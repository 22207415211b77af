// The Commerce reference host. Everything it does is in Apis/*Api.cs (one file per feature), Storefront/ (what a
// webhook does to analytics, the cache and the dashboard), CommerceServices.cs (the packages composed) and
// HostDefaults.cs (health, telemetry, ProblemDetails, OpenAPI).
using Commerce.SampleHost;

var builder = WebApplication.CreateBuilder(args);
builder.AddHostDefaults();
builder.AddCommerceServices();

var app = builder.Build();
app.UseHostDefaults();
app.MapDevApi();
app.MapWebhooksApi();
app.MapReportsApi();
app.MapFlashSalesApi();
app.MapNotificationsApi();
app.Run();

/// <summary>The host's entry point (public so tests can start it).</summary>
public partial class Program;
