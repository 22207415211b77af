// An inbox processor for the crash-loop test: its handler prints "HANDLING <source>/<message id> <attempt>" and then
// hangs, so the test can kill this process with SIGKILL while the message is claimed, as a crash would.
// Usage: Commerce.Webhooks.CrashingProcessor <postgres connection string> <schema> <max attempts>
using System.Globalization;
using Commerce.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout carries only the HANDLING lines
builder.Services.AddCommerceWebhooks(o =>
    {
        o.Schema = args[1];
        o.MaxAttempts = int.Parse(args[2], CultureInfo.InvariantCulture);
        o.ProcessingLease = TimeSpan.FromSeconds(1);
        o.InboxPollInterval = TimeSpan.FromMilliseconds(100);
        o.Sender.RunDispatcher = false;
    })
    .WithPostgres(args[0])
    .AddHandler<HangingHandler>("*");
using var host = builder.Build();
await host.RunAsync();

/// <summary>Announces the message, then never returns.</summary>
internal sealed class HangingHandler : IWebhookHandler
{
    public async ValueTask HandleAsync(WebhookMessage message, CancellationToken cancellationToken)
    {
        Console.Out.WriteLine($"HANDLING {message.Source}/{message.MessageId} {message.Attempt}");
        await Console.Out.FlushAsync(cancellationToken);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
