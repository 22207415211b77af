using System.Security.Claims;

namespace Commerce.SampleHost;

/// <summary>A user reads only its own shop's data: the <c>shop_id</c> claim must match.</summary>
public static class ShopAccess
{
    public static string? UserId(this ClaimsPrincipal user) => user.FindFirst("sub")?.Value;

    public static bool OwnsShop(this ClaimsPrincipal user, string? shopId) =>
        !string.IsNullOrEmpty(shopId) && user.FindFirst("shop_id")?.Value == shopId;

    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Forbidden(string shopId) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "Not your shop",
        detail: $"The token's shop_id does not give access to shop '{shopId}'.");
}
