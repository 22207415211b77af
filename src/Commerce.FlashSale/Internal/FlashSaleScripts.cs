using Commerce.Shared;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// The Lua scripts of a sale, loaded once from the files under <c>Internal/Scripts</c>; each file says its arguments
/// and reply, and <c>prelude.lua</c> (the key layout, the reservation record, the journal, transitions, the sweep and
/// the rate limiter) is put in front of the scripts that take a sale's seven keys. Each reply is decoded by one typed
/// decoder (<see cref="ReserveReply"/>, <see cref="ChangeReply"/>, ...).
/// </summary>
internal static class FlashSaleScripts
{
    private static readonly string Prelude = Load("prelude.lua");

    public static readonly string Reserve = Prelude + Load("reserve.lua");

    public static readonly string Change = Prelude + Load("change.lua");

    public static readonly string Sweep = Prelude + Load("sweep.lua");

    public static readonly string Read = Prelude + Load("read.lua");

    public static readonly string ReadReservation = Prelude + Load("read_reservation.lua");

    public static readonly string Create = Prelude + Load("create.lua");

    public static readonly string Update = Prelude + Load("update.lua");

    public static readonly string Cancel = Prelude + Load("cancel.lua");

    public static readonly string Lifecycle = Prelude + Load("lifecycle.lua");

    public static readonly string RateLimit = Prelude + Load("rate_limit.lua");

    public static readonly string Take = Prelude + Load("take.lua");

    public static readonly string Give = Prelude + Load("give.lua");

    public static readonly string Settle = Prelude + Load("settle.lua");

    public static readonly string Refuse = Prelude + Load("refuse.lua");

    public static readonly string StaleTransfers = Prelude + Load("stale_transfers.lua");

    public static readonly string ItemState = Prelude + Load("item_state.lua");

    public static readonly string SoldOut = Prelude + Load("sold_out.lua");

    public static readonly string UnitsBack = Prelude + Load("units_back.lua");

    public static readonly string Queue = Prelude + Load("queue.lua");

    public static readonly string Health = Load("health.lua");

    public static readonly string MarkRecovering = Load("mark_recovering.lua");

    public static readonly string DrainRead = Load("drain_read.lua");

    public static readonly string LeaseAcquire = Load("lease_acquire.lua");

    public static readonly string LeaseRenew = Load("lease_renew.lua");

    public static readonly string LeaseRelease = Load("lease_release.lua");

    private static string Load(string file) => EmbeddedText.Read(typeof(FlashSaleScripts).Assembly, file);
}
