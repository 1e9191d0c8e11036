using System.Collections.Concurrent;
using McpCompat.Http;
using McpCompat.Resumption;
using McpCompat.Sessions;
using Microsoft.AspNetCore.Http;

namespace McpCompat.Gateway;

/// <summary>
/// Takes up, under its client's id, a session the gateway does not hold but whose record is in the store, where sessions
/// resume: one the gateway ended for being idle within <see cref="McpCompatOptions.SessionResumeWindow"/> (its handshake
/// is replayed upstream), or one another gateway started, this one before it restarted included (it goes on where its
/// record says it lives upstream; if the upstream lost it meanwhile, it is rebuilt as any lost session is). Only its
/// owner resumes it; a session its client deleted never resumes. One take-up at a time per id; the others share it.
/// </summary>
internal sealed class GatewayResumer(GatewayRecords records, GatewaySessions sessions, GatewayRebuilder rebuilder, RefusalWriter refusals)
{
    private readonly ConcurrentDictionary<string, Task<Outcome>> _resuming = new(StringComparer.Ordinal);

    /// <summary>Gets whether sessions resume.</summary>
    public bool Enabled => records.Enabled;

    /// <summary>
    /// Returns session <paramref name="sessionId"/> taken up from its record, with the request counted in; or answers 404
    /// (no record, deleted, another user's), 503 with <c>Retry-After</c> (the store did not answer, or every session is
    /// active) and returns <see langword="null"/>.
    /// </summary>
    public async ValueTask<GatewaySession?> ResumeAsync(HttpContext context, GatewayRoute route, string sessionId, CarriedHeaders? headers)
    {
        var store = records.Store!;
        Outcome outcome;
        try
        {
            var lookup = await store.FindAsync(sessionId, context.RequestAborted).ConfigureAwait(false);
            if (lookup.State == RecordState.Unavailable)
            {
                await refusals.StoreUnavailableAsync(context, store.Settings.Timeout).ConfigureAwait(false);
                return null;
            }

            // Another user's session is answered as an unknown one, as a live one is.
            if (lookup.Record is not { } record || record.Owner != UserKey.Of(context))
            {
                await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
                return null;
            }

            var adopting = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            var shared = _resuming.GetOrAdd(sessionId, adopting.Task);
            if (ReferenceEquals(shared, adopting.Task))
            {
                _ = AdoptAndShareAsync(sessionId, record, route, headers, adopting);
            }

            outcome = await shared.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away while it waited; a take-up under way goes on for the others.
            return null;
        }

        if (outcome.Session is { } session && session.User == UserKey.Of(context) && session.TryEnter())
        {
            records.Use(session);
            return session;
        }

        if (outcome.NoRoom)
        {
            await GatewayEndpoint.RefuseNoRoomAsync(context, refusals).ConfigureAwait(false);
            return null;
        }

        await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
        return null;
    }

    private async Task AdoptAndShareAsync(string sessionId, SessionRecord record, GatewayRoute route, CarriedHeaders? headers, TaskCompletionSource<Outcome> adopting)
    {
        Outcome outcome;
        try
        {
            outcome = await AdoptAsync(sessionId, record, route, headers).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            outcome = default;
        }
        finally
        {
            _resuming.TryRemove(new KeyValuePair<string, Task<Outcome>>(sessionId, adopting.Task));
        }

        adopting.SetResult(outcome);
    }

    private async Task<Outcome> AdoptAsync(string sessionId, SessionRecord record, GatewayRoute route, CarriedHeaders? headers)
    {
        // Taken up meanwhile by a request that read the store before this one.
        if (sessions.Find(sessionId) is { } live)
        {
            return new Outcome(live, NoRoom: false);
        }

        if (!await sessions.TryAdmitAsync(CancellationToken.None).ConfigureAwait(false))
        {
            return new Outcome(null, NoRoom: true);
        }

        var handshake = GatewayHandshake.Resumed(record);
        var binding = record.Upstream is { } upstream && route.Find(upstream.Endpoint) is { } holder
            ? new GatewayBinding(holder, upstream.SessionId)
            : await rebuilder.StartAsync(sessionId, handshake, record.ProtocolVersion, route, headers, CancellationToken.None).ConfigureAwait(false);
        if (binding is null)
        {
            sessions.Unreserve();
            return new Outcome(null, NoRoom: false);
        }

        var session = sessions.Adopt(sessionId, binding, handshake, record.Owner, record.ProtocolVersion);
        session.Headers = headers;
        if (!ReferenceEquals(record.Upstream, null) && binding.UpstreamId == record.Upstream.SessionId)
        {
            return new Outcome(session, NoRoom: false);
        }

        // It lives somewhere new: the record says so (a DELETE that raced this take-up ends it here).
        if (await records.SaveAsync(session).ConfigureAwait(false) == RecordWrite.Ended)
        {
            sessions.Forget(session);
            return new Outcome(null, NoRoom: false);
        }

        return new Outcome(session, NoRoom: false);
    }

    private readonly record struct Outcome(GatewaySession? Session, bool NoRoom);
}
