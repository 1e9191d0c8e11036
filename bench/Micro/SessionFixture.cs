using System.Security.Cryptography;
using McpCompat.Sessions;
using Microsoft.AspNetCore.WebUtilities;

namespace McpCompat.Benchmarks;

/// <summary>Builds trackers full of sessions the way the endpoints do: random 22-character ids, idle from a given time.</summary>
internal static class SessionFixture
{
    public static string[] NewIds(int count)
    {
        var ids = new string[count];
        Span<byte> random = stackalloc byte[16];
        for (var i = 0; i < count; i++)
        {
            RandomNumberGenerator.Fill(random);
            ids[i] = WebEncoders.Base64UrlEncode(random);
        }

        return ids;
    }

    public static TrackedSession[] Track(SessionTracker tracker, ISessionEvictor evictor, IReadOnlyList<string> ids, Func<int, long> idleSince)
    {
        var sessions = new TrackedSession[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            sessions[i] = new TrackedSession(ids[i], evictor, idleSince(i), inFlight: 0);
            tracker.Add(sessions[i]);
        }

        return sessions;
    }
}

/// <summary>
/// Ends every session at once and removes it from the tracker, as a host does, so that a sweep's own work is what is
/// measured (disposal aside).
/// </summary>
internal sealed class CompletedEvictor(SessionTracker tracker) : ISessionEvictor
{
    private static readonly Task<bool> Ended = Task.FromResult(true);

    public Task<bool> EvictAsync(TrackedSession session, CancellationToken cancellationToken)
    {
        tracker.Remove(session);
        return Ended;
    }
}
