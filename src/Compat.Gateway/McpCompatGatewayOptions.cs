namespace McpCompat;

/// <summary>
/// Options of McpCompat Gateway's own: what the gateway carries of its clients' requests into the requests it makes
/// upstream on a session's behalf. Its sessions' other settings (idle timeout, caps, keep-alives, records) are
/// <see cref="McpCompatOptions"/>, one vocabulary with McpCompat.
/// </summary>
/// <remarks>
/// Bound from the configuration section <c>McpCompat:Gateway</c> (under the section given to
/// <c>AddMcpCompatGateway</c>, when one is); set in code with <c>services.Configure&lt;McpCompatGatewayOptions&gt;(…)</c>.
/// </remarks>
public sealed class McpCompatGatewayOptions
{
    /// <summary>The configuration section, under McpCompat's, that the gateway's own options bind from.</summary>
    public const string SectionName = "Gateway";

    /// <summary>
    /// Gets the request headers a session's client sends that the gateway sends again, with their latest values, on the
    /// requests it makes upstream for that session: the handshake replayed when the session is rebuilt or taken up, and
    /// the <c>DELETE</c> that ends it when idle. These are the credentials an upstream checks on every request. Their
    /// values are held in memory with the session and never written to its record. Relayed requests carry all of the
    /// client's headers, whatever this says.
    /// </summary>
    /// <value>
    /// The default value is <c>Authorization</c>. A configured list replaces it (<c>McpCompat:Gateway:SessionHeaders:0</c>,
    /// …, or one comma-separated value); an empty value carries none.
    /// </value>
    public IList<string> SessionHeaders { get; } = ["Authorization"];
}
