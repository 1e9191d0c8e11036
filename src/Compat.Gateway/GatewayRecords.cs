using System.Security.Cryptography;
using McpCompat.Resumption;
using Microsoft.Extensions.Options;

namespace McpCompat.Gateway;

/// <summary>
/// The records the gateway's sessions resume from, where sessions resume (<see cref="McpCompatOptions.SessionResumeWindow"/>
/// set and an <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/> registered): McpCompat's records,
/// in McpCompat's store, with where each session lives upstream while it lives there. Written when a session starts
/// (before its client learns its id), when its logging level changes or it is rebuilt elsewhere, when it is ended for
/// being idle (without an upstream: it resumes by replaying its handshake), and while it is in use for longer than half
/// the window. A gateway that restarts, or another instance of a fleet, takes the session up from its record.
/// </summary>
internal sealed class GatewayRecords(SessionResumption resumption, IOptions<McpCompatOptions> options, TimeProvider timeProvider)
{
    /// <summary>Gets this gateway instance's name among the instances sharing the cache: random, one per process.</summary>
    public string Instance { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

    /// <summary>Gets the store, or <see langword="null"/> where sessions do not resume.</summary>
    public SessionRecordStore? Store => resumption.Records;

    /// <summary>Gets whether sessions resume.</summary>
    public bool Enabled => Store is not null;

    /// <summary>Writes the record of a session that just started; a session whose record was not written does not resume.</summary>
    public async Task StartedAsync(GatewaySession session)
    {
        if (Store is not { } store || session.Handshake is null)
        {
            return;
        }

        // Bounded by McpCompat:SessionStoreTimeout (counted and logged when it fails). A write that timed out may still
        // land: the session counts as recorded, so that its DELETE leaves a tombstone.
        if (await store.SaveAsync(session.Id, RecordOf(session), again: false).ConfigureAwait(false) is RecordWrite.Saved or RecordWrite.Unavailable)
        {
            session.Recorded = true;
            session.RecordTouched = timeProvider.GetTimestamp();
        }
    }

    /// <summary>
    /// Writes the record of a recorded session again (its logging level changed, it lives elsewhere now, or it is in use);
    /// <see cref="RecordWrite.Ended"/> when its client deleted it meanwhile, on another instance.
    /// </summary>
    public async Task<RecordWrite> SaveAsync(GatewaySession session)
    {
        if (Store is not { } store || !session.Recorded)
        {
            return RecordWrite.Saved;
        }

        session.RecordTouched = timeProvider.GetTimestamp();
        return await store.SaveAsync(session.Id, RecordOf(session), again: true).ConfigureAwait(false);
    }

    /// <summary>Writes the record of a session ended upstream for being idle: it no longer lives anywhere, and its window starts anew.</summary>
    public async Task EndedUpstreamAsync(GatewaySession session)
    {
        if (Store is { } store && session.Recorded)
        {
            await store.SaveAsync(session.Id, session.Handshake!.Record.WithUpstream(null), again: true).ConfigureAwait(false);
        }
    }

    /// <summary>Counts a request of a recorded session in; one in use for longer than half the window is written again.</summary>
    public void Use(GatewaySession session)
    {
        if (Store is not { } store || !session.Recorded)
        {
            return;
        }

        store.Use(session.Id);
        if (timeProvider.GetElapsedTime(session.RecordTouched) > store.Window / 2)
        {
            _ = SaveAsync(session);
        }

        // Which instance serves the session, for the others' idle copies (at most four times per idle timeout).
        var idle = IdleTimeout;
        if (session.ActiveMarked == 0 || timeProvider.GetElapsedTime(session.ActiveMarked) > idle / 4)
        {
            session.ActiveMarked = timeProvider.GetTimestamp();
            _ = store.MarkActiveAsync(session.Id, $"{Instance} {session.UpstreamId}", idle);
        }
    }

    /// <summary>
    /// Whether the session's copy here, fallen idle, may end the session where it lives: not when another instance of the
    /// fleet served it there (the same upstream session) within the idle timeout; that instance ends it once its own copy
    /// falls idle. A copy bound to an upstream session of its own ends it.
    /// </summary>
    public async Task<bool> MayEndUpstreamAsync(GatewaySession session)
    {
        if (Store is not { } store || !session.Recorded)
        {
            return true;
        }

        if (await store.ActiveHolderAsync(session.Id).ConfigureAwait(false) is not { } holder)
        {
            return true;
        }

        var space = holder.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 || holder.AsSpan(0, space).SequenceEqual(Instance) || !holder.AsSpan(space + 1).SequenceEqual(session.UpstreamId);
    }

    private TimeSpan IdleTimeout => options.Value.SessionIdleTimeout ?? McpCompat.Options.McpCompatDefaults.SessionIdleTimeout;

    private static SessionRecord RecordOf(GatewaySession session)
    {
        var binding = session.Binding;
        return session.Handshake!.Record.WithUpstream(new UpstreamSession(binding.Upstream.Endpoint.AbsoluteUri, binding.UpstreamId));
    }
}
