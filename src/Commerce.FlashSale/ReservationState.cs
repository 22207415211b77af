namespace Commerce.FlashSale;

/// <summary>The state of a reservation. Only <see cref="Reserved"/> ever changes.</summary>
public enum ReservationState
{
    /// <summary>Units are held until the reservation expires.</summary>
    Reserved,

    /// <summary>Paid: the units are sold.</summary>
    Confirmed,

    /// <summary>Given up by the user: the units went back to stock.</summary>
    Released,

    /// <summary>Not confirmed in time: the units went back to stock.</summary>
    Expired,
}
