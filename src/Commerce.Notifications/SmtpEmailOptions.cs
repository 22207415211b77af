using System.ComponentModel.DataAnnotations;

namespace Commerce.Notifications;

/// <summary>Options of the <c>email</c> channel (SMTP).</summary>
public sealed class SmtpEmailOptions
{
    /// <summary>SMTP server host.</summary>
    [Required]
    public string Host { get; set; } = "";

    /// <summary>SMTP port. Default 587.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>
    /// TLS: <c>Auto</c> (default; STARTTLS when offered), <c>None</c>, <c>StartTls</c>, <c>SslOnConnect</c>. Credentials
    /// are never sent over an unencrypted connection: with <see cref="UserName"/> set, <c>None</c> fails at start, and
    /// <c>Auto</c> against a server that offers no STARTTLS fails the delivery before authenticating.
    /// </summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    /// <summary>User name, if the server wants authentication.</summary>
    public string? UserName { get; set; }

    /// <summary>Password, with <see cref="UserName"/>.</summary>
    public string? Password { get; set; }

    /// <summary>The sender address, for example <c>Shop &lt;noreply@example.com&gt;</c>.</summary>
    [Required]
    public string From { get; set; } = "";
}
