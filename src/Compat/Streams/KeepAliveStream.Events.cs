namespace McpCompat.Streams;

/// <summary>
/// Where the SSE events of the stream end, read from its last four bytes: a keep-alive goes only between events, never
/// inside one.
/// </summary>
internal sealed partial class KeepAliveStream
{
    /// <summary>Whether <paramref name="written"/> holds an SSE <c>id:</c> field at the start of a line.</summary>
    private static bool HasEventId(uint tail, ReadOnlySpan<byte> written)
    {
        var lineStart = (tail & 0xFF) is 0x0A or 0x0D;
        if (lineStart && written.StartsWith("id:"u8))
        {
            return true;
        }

        return written.IndexOf("\nid:"u8) >= 0 || written.IndexOf("\rid:"u8) >= 0;
    }

    /// <summary>An SSE event ends with a blank line: LF LF, CR CR or CR LF CR LF.</summary>
    private static bool AtEventEnd(uint tail) => (tail & 0xFFFF) is 0x0A0A or 0x0D0D || tail == 0x0D0A0D0A;

    private static uint Shift(uint tail, ReadOnlySpan<byte> written)
    {
        foreach (var b in written.Length > 4 ? written[^4..] : written)
        {
            tail = (tail << 8) | b;
        }

        return tail;
    }
}
