using System.Globalization;
using McpCompat.Http;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Reserves room for one more session under <see cref="McpCompatOptions.MaxSessions"/>, ending the longest-idle hosted
/// session when there is none, or answers 503 with <c>Retry-After</c> when every session is active. The reservation is
/// taken in the store, atomically, so concurrent admissions never exceed the limit; one admission at a time ends
/// sessions to make room.
/// </summary>
internal sealed class SessionAdmission(
    HostedSessionStore store,
    IOptions<McpCompatOptions> options,
    TimeProvider timeProvider,
    EvictionReport evictions,
    RefusalWriter refusals) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// Returns whether a new session may start, with room reserved for it in the store (<see cref="HostedSessionFactory.StartAsync"/>
    /// takes it over); answers 503 and returns <see langword="false"/> when not.
    /// </summary>
    public async Task<bool> AdmitAsync(HttpContext context)
    {
        if (await TryAdmitAsync(context.RequestAborted).ConfigureAwait(false))
        {
            return true;
        }

        await RefuseAsync(context).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// Reserves room for one more session, ending the longest-idle hosted session when there is none; <see langword="false"/>
    /// when every session is active (then <see cref="RefuseAsync"/> answers the request).
    /// </summary>
    public async Task<bool> TryAdmitAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (store.TryReserve(settings.MaxSessions))
        {
            return true;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (!store.TryReserve(settings.MaxSessions))
            {
                if (store.ClaimOldestIdle() is not { } victim)
                {
                    return false;
                }

                var idle = timeProvider.GetElapsedTime(victim.IdleSince);
                await store.RetireAsync(victim.Session.Id).ConfigureAwait(false);
                evictions.Ended(victim.Session.Id, EvictionReason.MaxSessions, idle);
            }

            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Answers 503 with <c>Retry-After</c>: every session is active and there is no room for another.</summary>
    public Task RefuseAsync(HttpContext context)
    {
        var settings = options.Value;
        var retryAfter = Math.Max(1, (int)Math.Ceiling(settings.SweepInterval.TotalSeconds));
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return refusals.RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, $"Service Unavailable: {store.Count} sessions are active (McpCompat:MaxSessions = {settings.MaxSessions})");
    }
}
