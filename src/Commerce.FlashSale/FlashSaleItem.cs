namespace Commerce.FlashSale;

/// <summary>Live availability of one product of a sale. <c>Available + Reserved + Confirmed == Stock</c>.</summary>
/// <param name="ProductId">The product.</param>
/// <param name="Stock">Units for sale.</param>
/// <param name="Available">Units that can still be reserved.</param>
/// <param name="Reserved">Units held by unconfirmed reservations.</param>
/// <param name="Confirmed">Units sold.</param>
/// <param name="Price">The sale price.</param>
/// <param name="PerUserLimit">Most units one user may hold.</param>
public sealed record FlashSaleItem(string ProductId, int Stock, int Available, int Reserved, int Confirmed, decimal Price, int PerUserLimit);
