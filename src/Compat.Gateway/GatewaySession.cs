using McpCompat.Sessions;

namespace McpCompat.Gateway;

/// <summary>
/// A session as the gateway holds it: the id its client knows (the gateway's own), and the upstream and upstream session
/// id it stands for. The client's id never changes; what it stands for may (a session rebuilt on another upstream).
/// </summary>
internal sealed class GatewaySession(string id, GatewaySessions sessions, GatewayBinding binding, GatewayHandshake? handshake, UserKey? user, long createdTimestamp)
    : TrackedSession(id, sessions, createdTimestamp, inFlight: 1)
{
    private readonly object _rebuildGate = new();
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
    /// Rebuilds the session once for every request that found <paramref name="lost"/> gone: the first starts
    /// <paramref name="rebuild"/>, the others wait for it; a binding already replaced is returned as it is.
    /// </summary>
    public Task<GatewayBinding?> RebuildOnceAsync(GatewayBinding lost, Func<GatewayBinding, Task<GatewayBinding?>> rebuild)
    {
        lock (_rebuildGate)
        {
            if (!ReferenceEquals(_binding, lost))
            {
                return Task.FromResult<GatewayBinding?>(_binding);
            }

            return _rebuilding ??= RunAsync(lost, rebuild);
        }
    }

    private async Task<GatewayBinding?> RunAsync(GatewayBinding lost, Func<GatewayBinding, Task<GatewayBinding?>> rebuild)
    {
        await Task.Yield();
        GatewayBinding? rebuilt = null;
        try
        {
            rebuilt = await rebuild(lost).ConfigureAwait(false);
            return rebuilt;
        }
        finally
        {
            lock (_rebuildGate)
            {
                if (rebuilt is not null)
                {
                    Volatile.Write(ref _binding, rebuilt);
                }

                _rebuilding = null;
            }
        }
    }
}
