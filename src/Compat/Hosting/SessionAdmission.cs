using System.Globalization;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.Hosting;

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
    McpCompatMetrics metrics,
    RefusalWriter refusals,
    ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// Returns whether a new session may start, with room reserved for it in the store (<see cref="HostedSessionFactory.Start"/>
    /// takes it over); answers 503 and returns <see langword="false"/> when not.
    /// </summary>
    public async Task<bool> AdmitAsync(HttpContext context)
    {
        var settings = options.Value;
        if (store.TryReserve(settings.MaxSessions))
        {
            return true;
        }

        await _gate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            while (!store.TryReserve(settings.MaxSessions))
            {
                if (store.ClaimOldestIdle() is not { } victim)
                {
                    var retryAfter = Math.Max(1, (int)Math.Ceiling(settings.SweepInterval.TotalSeconds));
                    context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                    await refusals.RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, $"Service Unavailable: {store.Count} sessions are active (McpCompat:MaxSessions = {settings.MaxSessions})").ConfigureAwait(false);
                    return false;
                }

                var idleSeconds = timeProvider.GetElapsedTime(victim.IdleSince).TotalSeconds;
                await store.RetireAsync(victim.Session.Id).ConfigureAwait(false);
                metrics.SessionEnded(EvictionReason.MaxSessions);
                Log.SessionEvicted(logger, victim.Session.Id, EvictionReason.MaxSessions, idleSeconds);
            }

            return true;
        }
        finally
        {
            _gate.Release();
        }
    }
}
