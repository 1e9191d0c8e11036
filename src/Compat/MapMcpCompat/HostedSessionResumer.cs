using McpCompat.Http;
using McpCompat.Probing;
using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Brings back, under its old id, a session <c>MapMcpCompat</c> evicted, where sessions resume: finds its record, checks
/// its owner and revision, and has it rebuilt (<see cref="SessionRebuilder"/>) before the request is handled. One resume
/// at a time per id; the others wait and find the session hosted.
/// </summary>
internal sealed class HostedSessionResumer(
    SessionResumption resumption,
    ProtocolRevisions revisions,
    SessionAdmission admission,
    SessionRebuilder rebuilder,
    RefusalWriter refusals,
    ILogger<McpCompatEndpoint> logger)
{
    /// <summary>Gets whether sessions resume: the window is set (<see cref="McpCompatOptions.SessionResumeWindow"/>).</summary>
    public bool Enabled => resumption.Records is not null;

    /// <summary>
    /// Returns the session <paramref name="sessionId"/> names, resumed from its record, with the request counted in; or
    /// answers as for a live session (404 unknown or deleted, 403 another user's, 503 no room) or 503 with
    /// <c>Retry-After</c> when the store did not answer, and returns <see langword="null"/>. Concurrent requests for one
    /// id share one read of the store and one rebuild.
    /// </summary>
    public async ValueTask<HostedSession?> ResumeAsync(HttpContext context, string sessionId)
    {
        var records = resumption.Records!;
        RecordLookup lookup;
        try
        {
            lookup = await records.FindAsync(sessionId, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away while it waited.
            return null;
        }

        if (lookup.State == RecordState.Unavailable)
        {
            await refusals.StoreUnavailableAsync(context, records.Settings.Timeout).ConfigureAwait(false);
            return null;
        }

        if (lookup.Record is not { } record)
        {
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return null;
        }

        if (record.Owner != UserKey.Of(context))
        {
            await HostedSessionLookup.RefuseOtherUserAsync(context, refusals).ConfigureAwait(false);
            return null;
        }

        if (!revisions.IsSupported(record.ProtocolVersion) || revisions.IsSessionless(record.ProtocolVersion))
        {
            Log.SessionRecordRefused(logger, sessionId, $"it names protocol revision {record.ProtocolVersion}, which this SDK has no session for");
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return null;
        }

        var shared = rebuilder.RebuildAsync(sessionId, record, context.User);
        SessionRebuilder.Rebuilt rebuilt;
        try
        {
            rebuilt = await shared.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return null;
        }

        if (rebuilt.Session is { } session)
        {
            return await HostedSessionLookup.CheckAndEnterAsync(context, session, refusals).ConfigureAwait(false);
        }

        if (rebuilt.NoRoom)
        {
            await admission.RefuseAsync(context).ConfigureAwait(false);
            return null;
        }

        await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
        return null;
    }
}
