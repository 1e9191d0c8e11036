using System.Collections.Concurrent;
using ModelContextProtocol.Server;

namespace NotifyingServer;

/// <summary>
/// Each open session's own server (as the SDK's host runs it), by session id, so that the <c>start</c> tool, whose server
/// is bound to its POST request, can push on the session's GET stream instead.
/// </summary>
public sealed class SessionServers
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new();

    /// <summary>A copy of <paramref name="tools"/>: a collection of the session's own.</summary>
    public static McpServerPrimitiveCollection<McpServerTool> CopyTools(McpServerPrimitiveCollection<McpServerTool>? tools)
    {
        var copy = new McpServerPrimitiveCollection<McpServerTool>();
        foreach (var tool in tools ?? [])
        {
            copy.Add(tool);
        }

        return copy;
    }

    /// <summary>Runs the session as the SDK would (<see cref="McpServer.RunAsync"/>), known by its id meanwhile.</summary>
    public async Task RunAsync(McpServer server, CancellationToken cancellationToken)
    {
        var id = server.SessionId ?? throw new InvalidOperationException("A stateful session has an id.");
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var session = new Session(server, ended.Token);
        _sessions[id] = session;
        try
        {
            await server.RunAsync(cancellationToken);
        }
        finally
        {
            _sessions.TryRemove(id, out _);
            await ended.CancelAsync();
            await session.StoppedAsync();
        }
    }

    /// <summary>Starts pushing on the session's GET stream; <see langword="false"/> when the session is unknown or pushing already.</summary>
    public bool Start(string? sessionId, TimeSpan duration, int seed) =>
        sessionId is not null && _sessions.TryGetValue(sessionId, out var session) && session.Start(duration, seed);

    private sealed class Session(McpServer server, CancellationToken ended)
    {
        private readonly Lock _lock = new();
        private Task? _pushing;

        public bool Start(TimeSpan duration, int seed)
        {
            lock (_lock)
            {
                if (_pushing is not null || ended.IsCancellationRequested)
                {
                    return false;
                }

                var pushes = new Pushes(server, duration, seed);
                _pushing = Task.Run(() => pushes.RunAsync(ended));
                return true;
            }
        }

        public async Task StoppedAsync()
        {
            Task? pushing;
            lock (_lock)
            {
                pushing = _pushing;
            }

            await (pushing ?? Task.CompletedTask);
        }
    }
}
