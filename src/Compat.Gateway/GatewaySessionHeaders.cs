using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace McpCompat.Gateway;

/// <summary>Reads from a client's request what the gateway carries into its own requests for the session (<see cref="McpCompatGatewayOptions.SessionHeaders"/>).</summary>
internal sealed class GatewaySessionHeaders(IOptions<McpCompatGatewayOptions> options)
{
    private readonly string[] _names = [.. options.Value.SessionHeaders];

    /// <summary>Gets what <paramref name="request"/> carries: <paramref name="held"/> when it is the same, <see langword="null"/> when none.</summary>
    public CarriedHeaders? Of(HttpRequest request, CarriedHeaders? held) =>
        _names.Length == 0 ? null : CarriedHeaders.From(_names, request.Headers, held);
}
