using McpCompat.Sessions;

namespace McpCompat.Gateway;

/// <summary>
/// A session as the gateway holds it: the id its client knows (the gateway's own), and the upstream and upstream session
/// id it stands for. The client's id never changes; what it stands for may (a session rebuilt on another upstream).
/// </summary>
internal sealed class GatewaySession(string id, GatewaySessions sessions, GatewayBinding binding, GatewayHandshake? handshake, UserKey? user, long createdTimestamp, int inFlight)
    : TrackedSession(id, sessions, createdTimestamp, inFlight)
{
    private readonly object _rebuildGate = new();
    private readonly TaskCompletionSource _gone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GatewayBinding _binding = binding;
    private Task<GatewayBinding?>? _rebuilding;

    /// <summary>Gets where the session lives upstream now.</summary>
    public GatewayBinding Binding => Volatile.Read(ref _binding);

    /// <summary>Gets the upstream that holds the session.</summary>
    public GatewayUpstream Upstream => Binding.Upstream;

    /// <summary>Gets the session's id on its upstream.</summary>
    public string UpstreamId => Binding.UpstreamId;

    /// <summary>Gets what the session's client sent when it started, or <see langword="null"/> when it cannot be rebuilt (its handshake was too large to keep).</summary>
    public GatewayHandshake? Handshake { get; } = handshake;

    /// <summary>Gets the user who started the session (<see langword="null"/>: anonymous); only that user may use it.</summary>
    public UserKey? User { get; } = user;

    /// <summary>Gets or sets the protocol revision the client's requests name (<c>MCP-Protocol-Version</c>), once one has.</summary>
    public string? ProtocolVersion { get; set; }

    /// <summary>
    /// Gets or sets the credentials its client's latest request carried (<see cref="McpCompatGatewayOptions.SessionHeaders"/>),
    /// sent on the gateway's own requests for the session; <see langword="null"/>: none.
    /// </summary>
    public CarriedHeaders? Headers { get; set; }

    /// <summary>Gets or sets a value indicating whether the session has a record (<see cref="GatewayRecords"/>): it resumes once ended for being idle, and its DELETE leaves a tombstone.</summary>
    public bool Recorded { get; set; }

    /// <summary>Gets or sets when the session's record was last written.</summary>
    public long RecordTouched { get; set; }

    /// <summary>
    /// Gets a task that completes once the gateway has let go of this copy of the session for good: removed, and, when it
    /// ended for being idle, its record written anew (a request that raced the eviction can then resume it).
    /// </summary>
    public Task LetGo => _gone.Task;

    /// <summary>Completes <see cref="LetGo"/>.</summary>
    public void MarkLetGo() => _gone.TrySetResult();

    /// <summary>Gets or sets when this instance last said it serves the session (<see cref="GatewayRecords.Use"/>), 0 before.</summary>
    public long ActiveMarked { get; set; }

    /// <summary>
    /// Rebuilds the session once for every request that found <paramref name="lost"/> gone: the first starts
    /// <paramref name="rebuild"/>, the others wait for it; a binding already replaced is returned as it is. Once the
    /// session lives at the new binding, <paramref name="rebuilt"/> runs (its record is written again), before any of the
    /// requests goes on.
    /// </summary>
    public Task<GatewayBinding?> RebuildOnceAsync(GatewayBinding lost, Func<GatewayBinding, Task<GatewayBinding?>> rebuild, Func<GatewaySession, Task> rebuilt)
    {
        lock (_rebuildGate)
        {
            if (!ReferenceEquals(_binding, lost))
            {
                return Task.FromResult<GatewayBinding?>(_binding);
            }

            return _rebuilding ??= RunAsync(lost, rebuild, rebuilt);
        }
    }

    private async Task<GatewayBinding?> RunAsync(GatewayBinding lost, Func<GatewayBinding, Task<GatewayBinding?>> rebuild, Func<GatewaySession, Task> whenRebuilt)
    {
        await Task.Yield();
        try
        {
            var rebuilt = await rebuild(lost).ConfigureAwait(false);
            if (rebuilt is not null)
            {
                lock (_rebuildGate)
                {
                    Volatile.Write(ref _binding, rebuilt);
                }

                await whenRebuilt(this).ConfigureAwait(false);
            }

            return rebuilt;
        }
        finally
        {
            lock (_rebuildGate)
            {
                _rebuilding = null;
            }
        }
    }
}
