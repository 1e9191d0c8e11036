using Microsoft.AspNetCore.Http.Features;

namespace McpCompat.MapMcp;

/// <summary>
/// Marks a request for an evicted session on the SDK's <c>MapMcp</c> that McpCompat's hook declined for a reason the
/// SDK's 404 would hide: the hook can only decline, the SDK then answers 404, which goes into <see cref="Buffer"/>
/// instead of the response, and <see cref="SdkSessionMigration.ServeAsync"/> answers what McpCompat means instead.
/// </summary>
internal sealed class DivertedResumeFeature(IHttpResponseBodyFeature original, DivertedAnswer answer)
{
    /// <summary>Gets the response body the request had before the SDK's answer was diverted.</summary>
    public IHttpResponseBodyFeature Original { get; } = original;

    /// <summary>Gets what the request is answered instead of the SDK's 404.</summary>
    public DivertedAnswer Answer { get; } = answer;

    /// <summary>Gets what the SDK wrote: its 404, whose request id the answer repeats.</summary>
    public MemoryStream Buffer { get; } = new();
}

/// <summary>What a diverted request for an evicted session is answered instead of the SDK's 404.</summary>
internal enum DivertedAnswer
{
    /// <summary>Another user's session: what the SDK answers another user for a live session (403).</summary>
    Forbidden,

    /// <summary>The store of records did not answer: 503 with <c>Retry-After</c>, to try again.</summary>
    StoreUnavailable,
}

/// <summary>A rebuild the hook allowed, counted in <see cref="PendingMigrations"/> until the SDK's host has registered the session.</summary>
internal sealed class MigrationInFlight(IDisposable token)
{
    public IDisposable Token { get; } = token;
}
