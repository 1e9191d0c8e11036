using System.Collections.Concurrent;

namespace McpCompat.Sessions;

/// <summary>The sessions McpCompat tracks, by id.</summary>
internal sealed class SessionTracker
{
    private readonly ConcurrentDictionary<string, TrackedSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>Gets the number of sessions tracked.</summary>
    public int Count => _sessions.Count;

    public TrackedSession? Find(string id) => _sessions.TryGetValue(id, out var session) ? session : null;

    public void Add(TrackedSession session) => _sessions[session.Id] = session;

    /// <summary>Forgets the session (only this instance of it) and marks it gone.</summary>
    public bool Remove(TrackedSession session)
    {
        session.MarkGone();
        return ((ICollection<KeyValuePair<string, TrackedSession>>)_sessions).Remove(new(session.Id, session));
    }

    /// <summary>Gets the tracked sessions; safe to enumerate while sessions come and go.</summary>
    public IEnumerable<TrackedSession> Sessions => _sessions.Values;
}
