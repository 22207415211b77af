namespace Commerce.Notifications;

/// <summary>Progress of a bulk creation.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Total">Recipients in the job.</param>
/// <param name="Created">Notifications created so far (committed and published).</param>
/// <param name="Completed">Whether every recipient has its notification.</param>
public sealed record BulkNotificationStatus(Guid Id, int Total, int Created, bool Completed);
