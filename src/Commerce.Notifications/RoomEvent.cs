using System.Text.Json;

namespace Commerce.Notifications;

/// <summary>
/// A live event for everyone in a room (for example <c>dashboard_update</c> in <c>shop:42</c>). Not stored:
/// best-effort, and a client that may have missed some gets a resync signal instead.
/// </summary>
/// <param name="Room">The room, for example <c>shop:42</c>.</param>
/// <param name="Type">The event, for example <c>dashboard_update</c>.</param>
/// <param name="Data">Its payload (JSON), if any.</param>
/// <param name="At">When it was published.</param>
public sealed record RoomEvent(string Room, string Type, JsonElement? Data, DateTimeOffset At);
