using System.Net;
using System.Net.Sockets;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Refuses to connect to internal and special-purpose addresses unless allowed: loopback, private, link-local,
/// carrier-grade NAT, benchmarking, documentation, multicast, reserved, unique-local, NAT64 and 6to4/Teredo (which
/// embed IPv4 addresses), IPv4-compatible and IPv4-mapped IPv6. It runs as the HTTP handler's connect callback and the
/// handler uses no proxy, so the address checked is the address actually connected to, after DNS resolution: a name
/// that resolves (or re-resolves) to an internal address is refused, and no environment proxy can route around it.
/// </summary>
internal static class DestinationGuard
{
    private static readonly IPNetwork[] Blocked =
    [
        IPNetwork.Parse("0.0.0.0/8"),          // "this network"
        IPNetwork.Parse("10.0.0.0/8"),         // private
        IPNetwork.Parse("100.64.0.0/10"),      // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),        // loopback
        IPNetwork.Parse("169.254.0.0/16"),     // link-local, cloud metadata
        IPNetwork.Parse("172.16.0.0/12"),      // private
        IPNetwork.Parse("192.0.0.0/24"),       // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"),       // documentation (TEST-NET-1)
        IPNetwork.Parse("192.88.99.0/24"),     // 6to4 relay anycast
        IPNetwork.Parse("192.168.0.0/16"),     // private
        IPNetwork.Parse("198.18.0.0/15"),      // benchmarking
        IPNetwork.Parse("198.51.100.0/24"),    // documentation (TEST-NET-2)
        IPNetwork.Parse("203.0.113.0/24"),     // documentation (TEST-NET-3)
        IPNetwork.Parse("224.0.0.0/4"),        // multicast
        IPNetwork.Parse("240.0.0.0/4"),        // reserved, broadcast
        IPNetwork.Parse("::/96"),              // unspecified, loopback, IPv4-compatible
        IPNetwork.Parse("64:ff9b::/96"),       // NAT64
        IPNetwork.Parse("64:ff9b:1::/48"),     // local-use NAT64
        IPNetwork.Parse("100::/64"),           // discard-only
        IPNetwork.Parse("2001::/32"),          // Teredo
        IPNetwork.Parse("2001:db8::/32"),      // documentation
        IPNetwork.Parse("2002::/16"),          // 6to4
        IPNetwork.Parse("fc00::/7"),           // unique-local
        IPNetwork.Parse("fe80::/10"),          // link-local
        IPNetwork.Parse("fec0::/10"),          // site-local (deprecated)
        IPNetwork.Parse("ff00::/8"),           // multicast
    ];

    public static SocketsHttpHandler CreateHandler(bool allowPrivateNetworks) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false, // a proxy would be what the callback checks, and it would connect anywhere
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            var allowed = allowPrivateNetworks ? addresses : addresses.Where(IsPublic).ToArray();
            if (allowed.Length == 0)
            {
                throw new DestinationBlockedException(
                    $"'{host}' resolves only to internal addresses ({string.Join(", ", addresses.Select(a => a.ToString()))}); set WebhookSenderOptions.AllowPrivateNetworks to allow them.");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublic(address.MapToIPv4());
        }

        foreach (var network in Blocked)
        {
            if (network.Contains(address))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The endpoint's address is internal and internal addresses are not allowed.</summary>
internal sealed class DestinationBlockedException(string message) : HttpRequestException(message);
