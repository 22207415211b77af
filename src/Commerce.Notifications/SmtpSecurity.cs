namespace Commerce.Notifications;

/// <summary>How the <c>email</c> channel secures its SMTP connection.</summary>
public enum SmtpSecurity
{
    /// <summary>STARTTLS when the server offers it.</summary>
    Auto,

    /// <summary>No TLS (a local relay).</summary>
    None,

    /// <summary>STARTTLS, required.</summary>
    StartTls,

    /// <summary>TLS from the start (port 465).</summary>
    SslOnConnect,
}
