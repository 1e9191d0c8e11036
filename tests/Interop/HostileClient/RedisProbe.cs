using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace HostileClient;

/// <summary>
/// A few commands to a Redis server over its own protocol (RESP2), on one connection, one command at a time: enough to
/// look at what McpCompat keeps there (keys, memory, publishes) and to snapshot it. Not for use while the server is
/// stopped: a command waits until it answers.
/// </summary>
internal sealed class RedisProbe : IDisposable
{
    /// <summary>The prefix of the keys McpCompat keeps session records under.</summary>
    public const string RecordPrefix = "mcpcompat:session:";

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RedisProbe(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RedisProbe> ConnectAsync(string address)
    {
        var colon = address.LastIndexOf(':');
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..], CultureInfo.InvariantCulture));
        return new RedisProbe(tcp);
    }

    /// <summary>Sends one command; the answer as a string, a long, an array of answers, or null. A Redis error throws.</summary>
    public async Task<object?> SendAsync(params string[] command)
    {
        await _one.WaitAsync();
        try
        {
            var request = new StringBuilder();
            request.Append(CultureInfo.InvariantCulture, $"*{command.Length}\r\n");
            foreach (var part in command)
            {
                request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
            }

            await _stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
            return await ReadAsync();
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>How many keys match <paramref name="pattern"/> (SCAN, so the server is never blocked for long).</summary>
    public async Task<long> CountAsync(string pattern)
    {
        long count = 0;
        var cursor = "0";
        do
        {
            var page = (object?[])(await SendAsync("SCAN", cursor, "MATCH", pattern, "COUNT", "1000"))!;
            cursor = (string)page[0]!;
            count += ((object?[])page[1]!).Length;
        }
        while (cursor != "0");
        return count;
    }

    /// <summary>How many of the sessions have a record.</summary>
    public async Task<long> RecordsOfAsync(IEnumerable<string> sessionIds)
    {
        long count = 0;
        foreach (var chunk in sessionIds.Chunk(500))
        {
            count += (long)(await SendAsync(["EXISTS", .. chunk.Select(id => RecordPrefix + id)]))!;
        }

        return count;
    }

    /// <summary>
    /// The size in bytes of each session's record, as the distributed cache stores it (the <c>data</c> field of its hash);
    /// 0 for a session without one.
    /// </summary>
    public async Task<List<long>> RecordSizesAsync(IEnumerable<string> sessionIds)
    {
        var sizes = new List<long>();
        foreach (var id in sessionIds)
        {
            sizes.Add((long)(await SendAsync("HSTRLEN", RecordPrefix + id, "data"))!);
        }

        return sizes;
    }

    /// <summary>A field of <c>INFO</c>, such as <c>used_memory</c> of section <c>memory</c>; null when absent.</summary>
    public async Task<string?> InfoAsync(string section, string field)
    {
        var info = (string)(await SendAsync("INFO", section))!;
        foreach (var line in info.Split("\r\n"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return line[(field.Length + 1)..];
            }
        }

        return null;
    }

    /// <summary>The bytes Redis holds for its data: <c>used_memory</c>.</summary>
    public async Task<long> UsedMemoryAsync() => long.Parse((await InfoAsync("memory", "used_memory"))!, CultureInfo.InvariantCulture);

    /// <summary>How many PUBLISH commands the server has run since it started (<c>INFO commandstats</c>).</summary>
    public async Task<long> PublishesAsync()
    {
        var stats = await InfoAsync("commandstats", "cmdstat_publish");
        if (stats is null)
        {
            return 0;
        }

        var calls = stats.Split(',').First(p => p.StartsWith("calls=", StringComparison.Ordinal));
        return long.Parse(calls["calls=".Length..], CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
        _one.Dispose();
    }

    private async Task<object?> ReadAsync()
    {
        var line = await ReadLineAsync();
        var rest = line[1..];
        switch (line[0])
        {
            case '+':
                return rest;
            case '-':
                throw new InvalidOperationException($"Redis answered an error: {rest}");
            case ':':
                return long.Parse(rest, CultureInfo.InvariantCulture);
            case '$':
                var length = int.Parse(rest, CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return null;
                }

                var bytes = await ReadBytesAsync(length + 2);
                return Encoding.UTF8.GetString(bytes, 0, length);
            case '*':
                var count = int.Parse(rest, CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return null;
                }

                var items = new object?[count];
                for (var i = 0; i < count; i++)
                {
                    items[i] = await ReadAsync();
                }

                return items;
            default:
                throw new InvalidOperationException($"Redis answered something unreadable: {line}");
        }
    }

    private async Task<string> ReadLineAsync()
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end)
            {
                await FillAsync();
            }

            var b = _buffer[_start++];
            if (b == '\n' && line.Count > 0 && line[^1] == '\r')
            {
                return Encoding.UTF8.GetString(line.ToArray(), 0, line.Count - 1);
            }

            line.Add(b);
        }
    }

    private async Task<byte[]> ReadBytesAsync(int count)
    {
        var bytes = new byte[count];
        var read = 0;
        while (read < count)
        {
            if (_start == _end)
            {
                await FillAsync();
            }

            var take = Math.Min(count - read, _end - _start);
            Array.Copy(_buffer, _start, bytes, read, take);
            _start += take;
            read += take;
        }

        return bytes;
    }

    private async Task FillAsync()
    {
        _start = 0;
        _end = await _stream.ReadAsync(_buffer);
        if (_end == 0)
        {
            throw new IOException("Redis closed the connection.");
        }
    }
}
