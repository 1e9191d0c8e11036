namespace McpCompat;

/// <summary>Names McpCompat publishes its telemetry under.</summary>
public static class McpCompatTelemetry
{
    /// <summary>
    /// The name of McpCompat's <see cref="System.Diagnostics.Metrics.Meter"/>, created from the application's
    /// <see cref="System.Diagnostics.Metrics.IMeterFactory"/>: <c>McpCompat</c>. Its instruments are named <c>mcpcompat.*</c>.
    /// </summary>
    public const string MeterName = "McpCompat";
}
