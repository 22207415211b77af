namespace Commerce.SampleHost;

/// <summary>
/// <c>POST /api/dev/token</c>: in Development only (the route does not exist elsewhere), mints a token for the dashboard
/// and the simulator: role <c>seller</c> unless <c>shopper</c> or <c>admin</c> is asked for explicitly.
/// </summary>
public static class DevApi
{
    public sealed record TokenRequest(string? UserId, string? ShopId, string? Role);

    public sealed record TokenResponse(string Token, DateTimeOffset ExpiresAt, string UserId, string ShopId, string Role);

    public static IEndpointRouteBuilder MapDevApi(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            return app;
        }

        app.MapPost("/api/dev/token", (TokenRequest? request, TokenIssuer issuer) =>
        {
            var user = string.IsNullOrWhiteSpace(request?.UserId) ? "seller-1" : request.UserId;
            var shop = string.IsNullOrWhiteSpace(request?.ShopId) ? "shop-1" : request.ShopId;
            var role = string.IsNullOrWhiteSpace(request?.Role) ? "seller" : request.Role;
            if (role is not ("seller" or "shopper" or "admin"))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["role"] = ["seller (the default), shopper or admin."] });
            }

            var (token, expires) = issuer.Issue(user, shop, role, TimeSpan.FromHours(12));
            return Results.Ok(new TokenResponse(token, expires, user, shop, role));
        }).WithTags("Development").WithSummary("Mints a development token (Development environment only).");
        return app;
    }
}
