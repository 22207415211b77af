using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace Commerce.SampleHost;

/// <summary>Mints HS256 tokens with the claims the host reads: <c>sub</c>, <c>shop_id</c>, <c>role</c>.</summary>
public sealed class TokenIssuer(SecurityKey key, string issuer, string audience)
{
    public (string Token, DateTimeOffset ExpiresAt) Issue(string userId, string shopId, string role, TimeSpan lifetime)
    {
        var expires = DateTimeOffset.UtcNow + lifetime;
        var token = new JwtSecurityToken(
            issuer,
            audience,
            [new Claim("sub", userId), new Claim("shop_id", shopId), new Claim("role", role)],
            expires: expires.UtcDateTime,
            signingCredentials: new SigningCredentials(key, SecurityAlgorithms.HmacSha256));
        return (new JwtSecurityTokenHandler().WriteToken(token), expires);
    }
}
