using System.Security.Cryptography;
using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Starts the session an <c>initialize</c> request asks for, once <see cref="SessionAdmission"/> has found room for it:
/// a random id, the SDK's transport and server for it (<see cref="SessionServerBuilder"/>), and the server's run task;
/// the session is hosted (and tracked) by the <see cref="HostedSessionStore"/>. Starts anew, the same way, a session
/// that comes back under its old id.
/// </summary>
internal sealed class HostedSessionFactory(
    SessionServerBuilder servers,
    HostedSessionStore store,
    SessionAdmission admission,
    TimeProvider timeProvider,
    ILogger<McpCompatEndpoint> logger)
{
    /// <summary>
    /// Starts a session for the request's user once admitted, in the room <see cref="SessionAdmission"/> reserved for it
    /// (given back when starting fails); the request itself is counted in until <see cref="FinishStart"/>. Answers 503
    /// and returns <see langword="null"/> when there is no room.
    /// </summary>
    public async Task<HostedSession?> StartAsync(HttpContext context)
    {
        if (!await admission.AdmitAsync(context).ConfigureAwait(false))
        {
            return null;
        }

        HostedSession session;
        CancellationToken lifetime;
        try
        {
            (session, lifetime) = Create(context);
        }
        catch
        {
            store.ReleaseReservation();
            throw;
        }

        store.AddReserved(session);
        session.RunTask = servers.RunAsync(session.Server, lifetime);
        Log.HostedSessionStarted(logger, session.Id);
        return session;
    }

    /// <summary>
    /// Hosts session <paramref name="id"/> again from its record: the one hosted already, when there is one; otherwise,
    /// once admitted, a new session under the old id (<see cref="Reopened.IsNew"/>), its rebuild counted in until
    /// <see cref="FinishStart"/>; or no room for it (<see cref="Reopened.NoRoom"/>).
    /// </summary>
    public async Task<Reopened> ReopenAsync(string id, SessionRecord record)
    {
        if (store.Find(id) is { } live)
        {
            // Resumed by a path that does not share this rebuild: served as a live session.
            return new Reopened(live, IsNew: false, NoRoom: false);
        }

        if (!await admission.TryAdmitAsync(CancellationToken.None).ConfigureAwait(false))
        {
            return new Reopened(null, IsNew: false, NoRoom: true);
        }

        return Resume(id, record) is { } session
            ? new Reopened(session, IsNew: true, NoRoom: false)
            : new Reopened(store.Find(id), IsNew: false, NoRoom: false);
    }

    /// <summary>The request that started the session (initialize, or the rebuild of a resumed one) is over: counted out.</summary>
    public void FinishStart(HostedSession session) => session.Tracked.Exit(timeProvider.GetTimestamp());

    /// <summary>
    /// Starts anew, under its old id, a session that was evicted, for the owner its record names, in the room
    /// <see cref="SessionAdmission"/> reserved for it; <see langword="null"/>, the room given back, when a session of
    /// that id is hosted already. The rebuild itself is counted in until it ends (<see cref="SessionRebuilder"/>).
    /// </summary>
    private HostedSession? Resume(string id, SessionRecord record)
    {
        HostedSession session;
        CancellationToken lifetime;
        try
        {
            (session, lifetime) = Create(id, record.Owner);
        }
        catch
        {
            store.ReleaseReservation();
            throw;
        }

        session.Record = record;
        session.RecordTouched = timeProvider.GetTimestamp();
        if (!store.TryAddReserved(session))
        {
            _ = session.DisposeAsync(HostedSessionStore.DisposeWait, timeProvider);
            return null;
        }

        session.RunTask = servers.RunAsync(session.Server, lifetime);
        return session;
    }

    /// <summary>Ends a session whose handshake failed: it is forgotten and disposed, and its room is free again.</summary>
    public Task DiscardAsync(HostedSession session) => store.EndAsync(session.Id);

    private (HostedSession Session, CancellationToken Lifetime) Create(HttpContext context)
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return Create(WebEncoders.Base64UrlEncode(random), UserKey.Of(context));
    }

    private (HostedSession Session, CancellationToken Lifetime) Create(string id, UserKey? owner)
    {
        var (transport, server) = servers.Build(id);
        var lifetime = new CancellationTokenSource();

        // The request that starts the session (initialize, or the rebuild of a resumed one) is in flight until it ends:
        // counted in now, out when it is done.
        var tracked = new TrackedSession(id, store, timeProvider.GetTimestamp(), inFlight: 1);
        return (new HostedSession(id, transport, server, owner, tracked, lifetime), lifetime.Token);
    }

    /// <summary>What <see cref="ReopenAsync"/> found: the session hosted under the id, new or not, or no room for it.</summary>
    public readonly record struct Reopened(HostedSession? Session, bool IsNew, bool NoRoom);
}
