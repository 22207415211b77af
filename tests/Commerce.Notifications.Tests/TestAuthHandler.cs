using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Notifications.Tests;

/// <summary>Authenticates <c>?user=&amp;shop=</c> (or the headers X-User / X-Shop) as claims <c>sub</c> and <c>shop_id</c>.</summary>
public sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var user = Request.Headers["X-User"].ToString() is { Length: > 0 } h ? h : Request.Query["user"].ToString();
        if (user.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var shop = Request.Headers["X-Shop"].ToString() is { Length: > 0 } s ? s : Request.Query["shop"].ToString();
        var claims = new List<Claim> { new("sub", user) };
        if (shop.Length > 0)
        {
            claims.Add(new Claim("shop_id", shop));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
