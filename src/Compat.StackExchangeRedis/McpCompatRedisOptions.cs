namespace McpCompat.StackExchangeRedis;

/// <summary>Options for McpCompat's Redis: where the server is, and the names McpCompat uses in it.</summary>
public sealed class McpCompatRedisOptions
{
    /// <summary>The configuration section these options bind from by default.</summary>
    public const string SectionName = "McpCompat:Redis";

    /// <summary>Gets or sets the StackExchange.Redis configuration string, such as <c>127.0.0.1:6379</c>.</summary>
    /// <value>The default value is <see langword="null"/>: required.</value>
    public string? Configuration { get; set; }

    /// <summary>Gets or sets the pub/sub channel on which the instances tell each other of deleted sessions.</summary>
    /// <value>The default value is <see cref="DefaultChannel"/>.</value>
    public string Channel { get; set; } = DefaultChannel;

    /// <summary>
    /// Gets or sets the prefix of every cache key (<c>RedisCacheOptions.InstanceName</c>), to keep several applications
    /// on one Redis apart; McpCompat's own keys start with <c>mcpcompat:session:</c> after it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: no prefix.</value>
    public string? InstanceName { get; set; }

    /// <summary>The default <see cref="Channel"/>: <c>mcpcompat:sessions:ended</c>.</summary>
    public const string DefaultChannel = "mcpcompat:sessions:ended";
}
