using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Commerce.Notifications.Internal;

/// <summary>The <c>email</c> channel: one message per notification over SMTP (MailKit).</summary>
internal sealed class SmtpEmailChannel(IOptions<SmtpEmailOptions> options) : INotificationChannel
{
    public string Name => "email";

    public async Task DeliverAsync(Notification notification, string address, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(address));
        message.Subject = notification.Title;
        message.MessageId = $"notification-{notification.Id}@commerce";   // lets a retried delivery be recognised
        message.Body = new TextPart("plain") { Text = notification.Body ?? notification.Title };

        using var client = new SmtpClient();
        var security = settings.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        };
        await client.ConnectAsync(settings.Host, settings.Port, security, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(settings.UserName))
        {
            if (!client.IsSecure)
            {
                // Auto found no STARTTLS: never hand the credentials to an unencrypted connection.
                await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
                throw new AuthenticationException(
                    $"The SMTP server {settings.Host}:{settings.Port} offers no TLS; credentials are never sent over an unencrypted connection. Enable STARTTLS on the server, or use Security = SslOnConnect.");
            }

            await client.AuthenticateAsync(settings.UserName, settings.Password ?? "", cancellationToken).ConfigureAwait(false);
        }

        await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
        await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
    }
}
