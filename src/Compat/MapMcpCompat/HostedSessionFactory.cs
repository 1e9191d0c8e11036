using System.Security.Cryptography;
using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Starts the session an <c>initialize</c> request asks for: a random id, the SDK's transport and server for it, and
/// the server's run task; the session is hosted (and tracked) by the <see cref="HostedSessionStore"/>.
/// </summary>
internal sealed class HostedSessionFactory(
    CoreTransportApi api,
    object? eventStreamStore,
    HostedSessionStore store,
    Func<McpServerOptions> serverOptions,
    ILoggerFactory loggerFactory,
    IServiceProvider services,
    TimeProvider timeProvider,
    ILogger logger)
{
    /// <summary>
    /// Starts a session for the request's user in the room <see cref="SessionAdmission"/> reserved for it (given back
    /// when starting fails); the request itself is counted in until it ends.
    /// </summary>
    public HostedSession Start(HttpContext context)
    {
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
        session.RunTask = api.RunServerAsync(session.Server, lifetime);
        Log.HostedSessionStarted(logger, session.Id);
        return session;
    }

    /// <summary>
    /// Starts anew, under its old id, a session that was evicted, for the owner its record names, in the room
    /// <see cref="SessionAdmission"/> reserved for it; <see langword="null"/>, the room given back, when a session of
    /// that id is hosted already. The rebuild itself is counted in until it ends (<see cref="HostedSessionResumer"/>).
    /// </summary>
    public HostedSession? Resume(string id, SessionRecord record)
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

        session.RunTask = api.RunServerAsync(session.Server, lifetime);
        return session;
    }

    /// <summary>Ends a session whose handshake failed: it is forgotten and disposed, and its room is free again.</summary>
    public Task DiscardAsync(HostedSession session) => store.EndAsync(session.Id);

    private (HostedSession Session, CancellationToken Lifetime) Create(HttpContext context)
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return Create(WebEncoders.Base64UrlEncode(random), UserKey.From(context.User));
    }

    private (HostedSession Session, CancellationToken Lifetime) Create(string id, UserKey? owner)
    {
        var transport = api.CreateTransport(loggerFactory, id, eventStreamStore);
        var server = api.CreateServer(transport, serverOptions(), loggerFactory, services);
        var lifetime = new CancellationTokenSource();

        // The request that starts the session (initialize, or the rebuild of a resumed one) is in flight until it ends:
        // counted in now, out when it is done.
        var tracked = new TrackedSession(id, store, timeProvider.GetTimestamp(), inFlight: 1);
        return (new HostedSession(id, transport, server, owner, tracked, lifetime), lifetime.Token);
    }
}
