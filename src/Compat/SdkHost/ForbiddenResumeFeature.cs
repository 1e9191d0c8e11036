using Microsoft.AspNetCore.Http.Features;

namespace McpCompat.SdkHost;

/// <summary>
/// Marks a request for another user's evicted session on the SDK's <c>MapMcp</c>: the SDK's hook can only decline,
/// and the SDK then answers 404, which goes into <see cref="Buffer"/> instead of the response;
/// <see cref="SdkSessionMigration.ServeAsync"/> answers what the SDK answers another user for a live session instead.
/// </summary>
internal sealed class ForbiddenResumeFeature(IHttpResponseBodyFeature original)
{
    /// <summary>Gets the response body the request had before the SDK's answer was diverted.</summary>
    public IHttpResponseBodyFeature Original { get; } = original;

    /// <summary>Gets what the SDK wrote: its 404, whose request id the 403 repeats.</summary>
    public MemoryStream Buffer { get; } = new();
}
